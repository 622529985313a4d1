package io.github.cachetags.sample.redis;

import java.util.ArrayList;
import java.util.List;

import io.github.cachetags.sample.SampleApplication;
import io.github.cachetags.sample.SampleClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample while the Redis of its cache is down: the instance stays in rotation (health, liveness and readiness
 * answer UP), the catalogue answers uncached, and a purge answers 503 saying that it is queued.
 */
class RedisOutageIT {

	@Test
	void instanceStaysInRotationAndAnswersUncachedWhileRedisIsDown() {
		try (RedisServerProcess redis = RedisServerProcess.start();
				ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
						"--server.port=0", "--spring.data.redis.host=" + redis.host(),
						"--spring.data.redis.port=" + redis.port(), "--sample.admin.username=ops",
						"--sample.admin.password=s3cret")) {
			SampleClient client = new SampleClient(context.getEnvironment().getRequiredProperty("local.server.port",
					Integer.class));
			client.getJson("/products/401");
			assertThat(client.get("/actuator/health").getStatusCode()).isEqualTo(HttpStatus.OK);

			redis.close();
			ResponseEntity<String> health = client.get("/actuator/health");
			ResponseEntity<String> readiness = client.get("/actuator/health/readiness");
			ResponseEntity<String> liveness = client.get("/actuator/health/liveness");
			long queries = client.databaseQueries();
			// a product this instance never read: 401 may still be answered from the near cache for up to
			// cachetags.local.max-staleness, until the instance notices that invalidations no longer arrive
			ResponseEntity<String> product = client.get("/products/402");
			ResponseEntity<String> purge = client.delete("/actuator/cachetags/product:401", "ops", "s3cret");

			assertThat(health.getStatusCode()).as(health.getBody()).isEqualTo(HttpStatus.OK);
			JsonNode components = SampleClient.json(health).get("components");
			assertThat(componentNames(components)).doesNotContain("redis");
			assertThat(components.get("cachetags").get("status").asString()).isEqualTo("UP");
			assertThat(components.get("cachetags").get("details").get("redis").asString())
				.isEqualTo("unreachable; calls run uncached");
			assertThat(readiness.getStatusCode()).as(readiness.getBody()).isEqualTo(HttpStatus.OK);
			assertThat(componentNames(SampleClient.json(readiness).get("components")))
				.containsExactlyInAnyOrder("readinessState", "db");
			assertThat(liveness.getStatusCode()).isEqualTo(HttpStatus.OK);
			assertThat(componentNames(SampleClient.json(liveness).get("components")))
				.containsExactly("livenessState");
			assertThat(product.getStatusCode()).isEqualTo(HttpStatus.OK);
			assertThat(client.databaseQueries()).as("the read ran uncached").isEqualTo(queries + 1);
			assertThat(purge.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			JsonNode unavailable = SampleClient.json(purge);
			assertThat(unavailable.get("tag").asString()).isEqualTo("product:401");
			assertThat(unavailable.get("error").asString()).isEqualTo("Purge queued");
			assertThat(unavailable.get("message").asString()).contains("queued and retried until Redis accepts it");
		}
	}

	private static List<String> componentNames(JsonNode components) {
		List<String> names = new ArrayList<>();
		components.properties().forEach((component) -> names.add(component.getKey()));
		return names;
	}

}
