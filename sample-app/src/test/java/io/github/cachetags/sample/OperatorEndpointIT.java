package io.github.cachetags.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What an operator sees and does over HTTP: the {@code cachetags} endpoint's figures and tag counts, a purge that
 * needs the operator's credentials, and the Prometheus scrape. A purge is checked by whether the next read goes to
 * the database.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "sample.admin.username=ops",
		"sample.admin.password=s3cret" })
class OperatorEndpointIT {

	@LocalServerPort
	private int port;

	private SampleClient client;

	@BeforeEach
	void client() {
		this.client = new SampleClient(this.port);
	}

	@Test
	void endpointReportsHitsMissesAndHitRatioAfterTraffic() {
		JsonNode before = productFigures();
		this.client.getJson("/products/201");
		this.client.getJson("/products/201");
		this.client.getJson("/products/201");
		this.client.getJson("/products/202");

		JsonNode report = this.client.getJson("/actuator/cachetags");
		JsonNode after = report.get("caches").get("products").get("figures");

		assertThat(report.get("keyPrefix").asString()).isEqualTo("shop");
		assertThat(report.get("caches").get("products").get("ttl").asString()).isEqualTo("PT1M");
		assertThat(report.get("caches").get("config").get("ttl").asString()).isEqualTo("PT24H");
		assertThat(after.get("hits").asLong() - before.get("hits").asLong()).isEqualTo(2);
		assertThat(after.get("misses").asLong() - before.get("misses").asLong()).isEqualTo(2);
		assertThat(after.get("loads").asLong() - before.get("loads").asLong()).isEqualTo(2);
		double hits = after.get("hits").asDouble();
		double misses = after.get("misses").asDouble();
		assertThat(after.get("hitRatio").asDouble()).isPositive().isCloseTo(hits / (hits + misses), within(1e-9));
		assertThat(report.get("totals").get("hits").asLong()).isGreaterThanOrEqualTo(after.get("hits").asLong());
	}

	@Test
	void tagCountShowsTheEntriesCarryingItPerCache() {
		this.client.getJson("/products/203");
		this.client.getJson("/categories/3/products");

		JsonNode product = this.client.getJson("/actuator/cachetags/product:203");
		JsonNode category = this.client.getJson("/actuator/cachetags/category:3");

		assertThat(product.get("tag").asString()).isEqualTo("product:203");
		assertThat(product.get("caches").get("products").asLong()).isEqualTo(1);
		assertThat(category.get("caches").get("products").asLong()).isGreaterThanOrEqualTo(1);
		assertThat(category.get("caches").get("category-products").asLong()).isEqualTo(1);
		assertThat(category.get("total").asLong()).isGreaterThanOrEqualTo(2);
	}

	@Test
	void purgeWithoutCredentialsIsUnauthorizedAndPurgesNothing() {
		this.client.getJson("/products/204");
		long queries = this.client.databaseQueries();

		ResponseEntity<String> anonymous = this.client.delete("/actuator/cachetags/product:204");
		ResponseEntity<String> wrongPassword = this.client.delete("/actuator/cachetags/product:204", "ops", "guess");

		assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(wrongPassword.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		this.client.getJson("/products/204");
		assertThat(this.client.databaseQueries()).isEqualTo(queries);
	}

	@Test
	void purgeWithOperatorCredentialsRemovesTheEntriesAndTheNextReadLoads() {
		this.client.getJson("/products/205");
		long queries = this.client.databaseQueries();

		ResponseEntity<String> purge = this.client.delete("/actuator/cachetags/product:205", "ops", "s3cret");

		assertThat(purge.getStatusCode()).isEqualTo(HttpStatus.OK);
		JsonNode body = SampleClient.json(purge);
		assertThat(body.get("tag").asString()).isEqualTo("product:205");
		assertThat(body.get("removed").asLong()).isEqualTo(1);
		this.client.getJson("/products/205");
		assertThat(this.client.databaseQueries()).isEqualTo(queries + 1);
	}

	@Test
	void invalidTagIsABadRequestAndPurgesNothing() {
		this.client.getJson("/products/206");
		long queries = this.client.databaseQueries();

		ResponseEntity<String> tooLong = this.client.delete("/actuator/cachetags/" + "x".repeat(300), "ops",
				"s3cret");
		ResponseEntity<String> notAscii = this.client.delete("/actuator/cachetags/product:206%C3%A9", "ops",
				"s3cret");
		ResponseEntity<String> control = this.client.delete("/actuator/cachetags/product:206%01", "ops", "s3cret");

		assertThat(tooLong.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(tooLong.getBody()).contains("at most 256");
		assertThat(notAscii.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(notAscii.getBody()).contains("printable ASCII");
		assertThat(control.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(control.getBody()).contains("printable ASCII");
		this.client.getJson("/products/206");
		assertThat(this.client.databaseQueries()).isEqualTo(queries);
	}

	@Test
	void tagWithAnEncodedSlashReachesTheEndpointAsOneTagAndARawSlashIsRefused() {
		ResponseEntity<String> encoded = this.client.delete("/actuator/cachetags/shelf:a%2Fb", "ops", "s3cret");
		ResponseEntity<String> segments = this.client.delete("/actuator/cachetags/shelf:a/b", "ops", "s3cret");
		JsonNode count = this.client.getJson("/actuator/cachetags/shelf:a%2Fb");

		assertThat(encoded.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(SampleClient.json(encoded).get("tag").asString()).isEqualTo("shelf:a/b");
		assertThat(segments.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(SampleClient.json(segments).get("message").asString()).contains("as in shelf:a%2Fb");
		assertThat(count.get("tag").asString()).isEqualTo("shelf:a/b");
	}

	@Test
	void asteriskIsALiteralTagThatMatchesNoOtherTag() {
		this.client.getJson("/products/207");
		long queries = this.client.databaseQueries();

		ResponseEntity<String> purge = this.client.delete("/actuator/cachetags/*", "ops", "s3cret");

		assertThat(purge.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(SampleClient.json(purge).get("tag").asString()).isEqualTo("*");
		assertThat(SampleClient.json(purge).get("removed").asLong()).isZero();
		this.client.getJson("/products/207");
		assertThat(this.client.databaseQueries()).isEqualTo(queries);
	}

	@Test
	void prometheusScrapeHasCacheGetsAndCacheTagsMeters() {
		this.client.getJson("/products/208");
		this.client.getJson("/products/208");

		ResponseEntity<String> scrape = this.client.get("/actuator/prometheus");

		assertThat(scrape.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(SampleClient.contentType(scrape)).startsWith("text/plain");
		assertThat(scrape.getBody())
			.containsPattern("(?m)^cache_gets_total\\{[^}]*cache=\"products\"[^}]*result=\"hit\"[^}]*} [1-9]")
			.containsPattern("(?m)^cache_gets_total\\{[^}]*cache=\"products\"[^}]*result=\"miss\"[^}]*} [1-9]")
			.containsPattern("(?m)^cachetags_loads_total\\{[^}]*cache=\"products\"[^}]*result=\"success\"[^}]*} [1-9]")
			.containsPattern("(?m)^cachetags_load_seconds_count\\{[^}]*cache=\"products\"")
			.containsPattern("(?m)^cachetags_purges_total\\{[^}]*cache=\"products\"")
			.containsPattern("(?m)^cachetags_redis_memory_used_bytes\\{[^}]*} [1-9]")
			.containsPattern("(?m)^cachetags_redis_maxmemory_policy\\{[^}]*policy=\"volatile-lru\"[^}]*} 1");
	}

	private JsonNode productFigures() {
		JsonNode products = this.client.getJson("/actuator/cachetags").get("caches").get("products");
		return products.get("figures");
	}

}
