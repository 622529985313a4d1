package io.github.cachetags.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the sample with the profile {@code shared}, as a fleet runs it: one catalogue database (H2 in
 * automatic server mode) and one Redis. An update through one instance is what the other reads next, and a read
 * through one instance fills the cache for the other.
 */
class TwoInstancesIT {

	@Test
	void anUpdateThroughOneInstanceIsReadThroughTheOther() throws IOException {
		Path database = Files.createTempDirectory("sample-shared-").resolve("catalog");
		try (ConfigurableApplicationContext first = start(database, "--server.port=0");
				ConfigurableApplicationContext second = start(database, "--server.port=0",
						"--spring.data.redis.host=" + first.getEnvironment().getProperty("spring.data.redis.host"),
						"--spring.data.redis.port=" + first.getEnvironment().getProperty("spring.data.redis.port"))) {
			SampleClient one = new SampleClient(port(first));
			SampleClient two = new SampleClient(port(second));

			assertThat(one.getJson("/products/2001").get("name").asString()).isEqualTo("Product 2001");
			long queries = two.databaseQueries();
			assertThat(two.getJson("/products/2001").get("name").asString()).isEqualTo("Product 2001");
			assertThat(two.databaseQueries()).as("the second instance read the first one's cache entry")
				.isEqualTo(queries);

			one.put("/products/2001", "{\"name\":\"Shared mug\",\"categoryId\":1,\"priceCents\":990}");

			// the second instance keeps products in its near cache: the purge's message reaches it in about a
			// millisecond, and a lost one within max-staleness (1s)
			long deadline = System.nanoTime() + MAX_STALENESS.toNanos();
			JsonNode read = two.getJson("/products/2001");
			while (!read.get("name").asString().equals("Shared mug") && System.nanoTime() - deadline < 0) {
				read = two.getJson("/products/2001");
			}
			assertThat(read.get("name").asString()).as("the same database, and the purge reached the shared cache")
				.isEqualTo("Shared mug");
		}
	}

	/** The sample's near-cache bound (cachetags.local.max-staleness, by default). */
	private static final java.time.Duration MAX_STALENESS = java.time.Duration.ofSeconds(1);

	private static ConfigurableApplicationContext start(Path database, String... arguments) {
		String[] all = new String[arguments.length + 1];
		all[0] = "--sample.db.file=" + database;
		System.arraycopy(arguments, 0, all, 1, arguments.length);
		return new SpringApplicationBuilder(SampleApplication.class).profiles("shared").run(all);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
