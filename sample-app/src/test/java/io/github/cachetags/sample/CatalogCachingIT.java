package io.github.cachetags.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The catalogue over HTTP, on the redis-server the sample starts for itself: reads come from the cache, an update
 * is visible on the next read everywhere the product is cached, and a product read near its expiry is reloaded in
 * the background. Each test uses its own products and categories, and compares the database's query count before
 * and after.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class CatalogCachingIT {

	@LocalServerPort
	private int port;

	@Autowired
	private StringRedisTemplate redis;

	private SampleClient client;

	@BeforeEach
	void client() {
		this.client = new SampleClient(this.port);
	}

	@Test
	void secondReadOfAProductIsServedFromTheCache() {
		JsonNode first = this.client.getJson("/products/101");
		long queries = this.client.databaseQueries();

		JsonNode second = this.client.getJson("/products/101");

		assertThat(second).isEqualTo(first);
		assertThat(second.get("name").asString()).isEqualTo("Product 101");
		assertThat(this.client.databaseQueries()).isEqualTo(queries);
	}

	@Test
	void updateIsVisibleOnTheNextReadWhichLoadsFromTheDatabase() {
		this.client.getJson("/products/102");
		long queries = this.client.databaseQueries();

		ResponseEntity<String> update = this.client.put("/products/102",
				"{\"name\":\"Espresso cup\",\"categoryId\":2,\"priceCents\":1250}");
		long afterUpdate = this.client.databaseQueries();
		JsonNode read = this.client.getJson("/products/102");

		assertThat(update.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(afterUpdate).isGreaterThan(queries);
		assertThat(read.get("name").asString()).isEqualTo("Espresso cup");
		assertThat(read.get("priceCents").asLong()).isEqualTo(1250);
		assertThat(this.client.databaseQueries()).isEqualTo(afterUpdate + 1);
		this.client.getJson("/products/102");
		assertThat(this.client.databaseQueries()).isEqualTo(afterUpdate + 1);
	}

	@Test
	void productMovedToAnotherCategoryLeavesTheOldListingAndJoinsTheNewOne() {
		// product 110 is in category 10
		assertThat(productIds(this.client.getJson("/categories/10/products"))).contains(110L);
		assertThat(productIds(this.client.getJson("/categories/11/products"))).doesNotContain(110L);
		long queries = this.client.databaseQueries();
		this.client.getJson("/categories/10/products");
		this.client.getJson("/categories/11/products");
		assertThat(this.client.databaseQueries()).as("both listings are cached").isEqualTo(queries);

		this.client.put("/products/110", "{\"name\":\"Product 110\",\"categoryId\":11,\"priceCents\":990}");

		assertThat(productIds(this.client.getJson("/categories/10/products"))).doesNotContain(110L);
		assertThat(productIds(this.client.getJson("/categories/11/products"))).contains(110L);
		assertThat(this.client.getJson("/products/110").get("categoryId").asLong()).isEqualTo(11);
	}

	@Test
	void configIsCachedForADay() {
		JsonNode config = this.client.getJson("/config");
		long queries = this.client.databaseQueries();

		assertThat(this.client.getJson("/config")).isEqualTo(config);

		assertThat(config.get("values").get("currency").asString()).isEqualTo("EUR");
		assertThat(this.client.databaseQueries()).isEqualTo(queries);
		assertThat(entryTimeToLive("config")).isBetween(Duration.ofHours(23), Duration.ofHours(24));
	}

	@Test
	void productEntriesLiveSixtySecondsInRedis() {
		this.client.getJson("/products/103");

		Duration ttl = timeToLive("{shop:_:products:0}:v1:e:103");

		assertThat(ttl).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60));
	}

	@Test
	void categoryListingReadNearItsExpiryIsReloadedInTheBackground() {
		// category-products has no near cache, so a read reaches Redis and sees the entry's remaining time there
		// (a near cache knows the time its Redis entry had when it was read, and is not told of a hand-made EXPIRE)
		String entry = "{shop:_:category-products:0}:v1:e:5";
		long before = this.client.databaseQueries();
		JsonNode listing = this.client.getJson("/categories/5/products");
		long queriesPerLoad = this.client.databaseQueries() - before;
		// as if 55 of its 60 seconds had passed: inside the refresh window, the last 12 seconds
		this.redis.expire(entry, Duration.ofSeconds(5));
		long queries = this.client.databaseQueries();
		long refreshes = figures("category-products").get("refreshes").asLong();

		assertThat(this.client.getJson("/categories/5/products")).isEqualTo(listing);

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(timeToLive(entry)).isGreaterThan(Duration.ofSeconds(50)));
		assertThat(figures("category-products").get("refreshes").asLong()).isEqualTo(refreshes + 1);
		assertThat(this.client.databaseQueries()).as("one load, in the background").isEqualTo(queries + queriesPerLoad);
	}

	@Test
	void unknownProductIsNotFoundAndNotCached() {
		long queries = this.client.databaseQueries();

		ResponseEntity<String> first = this.client.get("/products/999999");
		ResponseEntity<String> second = this.client.get("/products/999999");

		assertThat(first.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(second.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(this.client.databaseQueries()).isEqualTo(queries + 2);
	}

	@Test
	void updateNamingAnUnknownCategoryIsRejectedAndChangesNothing() {
		JsonNode before = this.client.getJson("/products/104");

		ResponseEntity<String> update = this.client.put("/products/104",
				"{\"name\":\"Lost\",\"categoryId\":9999,\"priceCents\":1}");

		assertThat(update.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(this.client.getJson("/products/104")).isEqualTo(before);
	}

	private static List<Long> productIds(JsonNode listing) {
		List<Long> ids = new ArrayList<>();
		listing.get("products").forEach((product) -> ids.add(product.get("id").asLong()));
		return ids;
	}

	private Duration entryTimeToLive(String cache) {
		ScanOptions entries = ScanOptions.scanOptions().match("{shop:_:" + cache + ":0}:v1:e:*").count(100).build();
		try (Cursor<String> keys = this.redis.scan(entries)) {
			assertThat(keys.hasNext()).as("an entry of cache " + cache).isTrue();
			return timeToLive(keys.next());
		}
	}

	private Duration timeToLive(String key) {
		return Duration.ofMillis(this.redis.getExpire(key, TimeUnit.MILLISECONDS));
	}

	private JsonNode figures(String cache) {
		return this.client.getJson("/actuator/cachetags").get("caches").get(cache).get("figures");
	}

}
