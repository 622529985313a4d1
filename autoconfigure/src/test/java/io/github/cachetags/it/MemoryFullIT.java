package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint;
import io.github.cachetags.actuate.health.CacheTagsHealthIndicator;
import io.github.cachetags.autoconfigure.CacheTagsHealthAutoConfiguration;
import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.RedisUnavailableReport;
import io.github.cachetags.autoconfigure.CacheTagsEndpointAutoConfiguration;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A Redis whose memory is full of keys it may not evict: under {@code volatile-lru}, keys without a TTL are never
 * evicted, so once they fill {@code maxmemory} Redis can evict only the cache's own keys and refuses writes with an
 * OOM error. What the runbook says the operator sees then: calls still answer, a purge is answered with 503 and
 * queued, Redis counts OOM errors, and the queue drains and the cache works again once memory is freed.
 */
class MemoryFullIT {

	private static final int FILLER_BYTES = 64 * 1024;

	private static final int FILLERS = 32;

	@Test
	void purgesAreQueuedWhileKeysWithoutTtlFillMemoryAndSentOnceTheyAreRemoved() {
		try (RedisServer server = RedisServer.startProcess("--maxmemory", "64mb", "--maxmemory-policy",
				"volatile-lru"); RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
			CacheTagsContexts.onRedis(server)
				.withConfiguration(AutoConfigurations.of(CacheTagsEndpointAutoConfiguration.class,
						CacheTagsHealthAutoConfiguration.class))
				.withPropertyValues("management.endpoints.web.exposure.include=cachetags",
						"cachetags.redis-retry-interval=100ms")
				.withUserConfiguration(CatalogConfiguration.class)
				.run((context) -> {
					Catalog catalog = context.getBean(Catalog.class);
					CacheTagsEndpoint endpoint = context.getBean(CacheTagsEndpoint.class);
					TagAwareCacheManager cacheManager = context.getBean(TagAwareCacheManager.class);
					catalog.save(new Item(1, "books", 1));
					catalog.product(1);
					List<String> fillers = fillWithKeysWithoutTtl(redis);

					assertThat(catalog.product(1)).as("the call still answers").isEqualTo(new Item(1, "books", 1));
					Map<String, Object> health = context.getBean(CacheTagsHealthIndicator.class).health(true).getDetails();
					assertThat(health).containsEntry("evictionPolicy", "volatile-lru")
						.containsEntry("evictionPolicySafe", false);
					assertThat((Long) health.get("keysWithoutTtl")).as("the fillers, and the layout registry")
						.isGreaterThanOrEqualTo(FILLERS);
					assertThat((String) health.get("warning")).contains("keys without a TTL");
					WebEndpointResponse<Object> purge = endpoint.purge(new String[] { "category:books" });

					assertThat(purge.getStatus()).isEqualTo(503);
					assertThat(purge.getBody()).isInstanceOfSatisfying(RedisUnavailableReport.class,
							(report) -> assertThat(report.message()).contains("queued and retried"));
					assertThat(cacheManager.getInvalidations().pending()).isEqualTo(1);
					assertThat(redis.sync().info("errorstats")).contains("errorstat_OOM");

					redis.sync().del(fillers.toArray(new String[0]));
					await().atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(100))
						.untilAsserted(() -> assertThat(cacheManager.getInvalidations().pending()).isZero());
					await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
						int before = catalog.loads();
						catalog.product(1);
						catalog.product(1);
						return catalog.loads() - before <= 1;
					});
				});
		}
	}

	/**
	 * Writes keys without a TTL, as another application sharing the Redis would, then lowers {@code maxmemory}
	 * below what they take, so that Redis, which may evict none of them, refuses every write from now on.
	 */
	private static List<String> fillWithKeysWithoutTtl(RedisCommandsForTests redis) {
		String value = "x".repeat(FILLER_BYTES);
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < FILLERS; i++) {
			String key = "other-app:" + i;
			redis.sync().set(key, value);
			keys.add(key);
		}
		long used = Long.parseLong(redis.sync()
			.info("memory")
			.lines()
			.filter((line) -> line.startsWith("used_memory:"))
			.findFirst()
			.orElseThrow()
			.substring("used_memory:".length())
			.strip());
		redis.sync().configSet("maxmemory", Long.toString(used - FILLERS * FILLER_BYTES / 2));
		assertThatExceptionOfType(RedisCommandExecutionException.class)
			.isThrownBy(() -> redis.sync().set("other-app:one-more", "x"))
			.withMessageStartingWith("OOM");
		return keys;
	}

}
