package io.github.cachetags.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A purge of a tag with 100,000 entries works in bounded steps: no Redis command takes 10 ms or more.
 */
class LargePurgeIT {

	static final int ENTRIES = 100_000;

	static final int WRITERS = 4;

	@Test
	void purgeOfAHundredThousandEntriesLeavesTheSlowlogEmpty() {
		CacheTagsContexts.onRedis(RedisServer.shared()).withPropertyValues("cachetags.caches.big.ttl=10m")
			.run((context) -> {
				RedisTagStore store = context.getBean(RedisTagStore.class);
				String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
				Namespace shard = Namespace.of(prefix, Namespace.NO_TENANT, "big", 1, 0);
				byte[] value = "\"v\"".getBytes(StandardCharsets.UTF_8);
				ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
				List<Future<?>> writes = new ArrayList<>();
				for (int w = 0; w < WRITERS; w++) {
					int writer = w;
					writes.add(pool.submit(() -> {
						for (int i = writer; i < ENTRIES; i += WRITERS) {
							store.store(shard, "k" + i, value, Duration.ofMinutes(10), LoadStart.NOW, 0,
									List.of("bulk", "other:" + (i % 10)), RedisTagStore.REPLACE);
						}
						return null;
					}));
				}
				for (Future<?> write : writes) {
					write.get(5, TimeUnit.MINUTES);
				}
				pool.shutdown();
				assertThat(context.getBean(CacheTagOperations.class).count("bulk")).containsEntry("big", (long) ENTRIES);

				try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
					redis.sync().configSet("slowlog-log-slower-than", "10000");
					redis.sync().slowlogReset();
					long started = System.nanoTime();

					long removed = context.getBean(CacheTagOperations.class).purge("big", "bulk");

					long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
					await("the purge's background drain").atMost(Duration.ofMinutes(2))
						.pollInterval(Duration.ofMillis(20))
						.until(() -> store.drainsInProgress() == 0);
					long drained = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
					List<Object> slow = redis.sync().slowlogGet(128);
					System.out.printf("[large purge] %d entries listed; the purge returned in %d ms, drained in %d ms;"
							+ " slowlog entries >= 10 ms: %d%n", removed, millis, drained, slow.size());
					assertThat(removed).isEqualTo(ENTRIES);
					assertThat(slow).isEmpty();
					assertThat(redis.countKeys("{" + prefix + ":_:big:0}:v1:e:*")).as("entries left after the drain")
						.isZero();
				}
			});
	}

}
