package io.github.cachetags.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One drain step of a purge stays short at the largest allowed batch, even for entries with the most and longest
 * tags allowed (64 tags of 256 characters): the batch-size limit is set from this measure.
 */
class PurgeStepIT {

	static final int MAX_BATCH = 300;

	static final int ENTRIES = 3000;

	@Test
	void aDrainStepAtTheLargestBatchOfEntriesWithTheLongestTagsStaysShort() {
		CacheTagsContexts.onRedis(RedisServer.shared())
			.withPropertyValues("cachetags.purge-batch-size=" + MAX_BATCH)
			.run((context) -> {
				RedisTagStore store = context.getBean(RedisTagStore.class);
				String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
				Namespace shard = Namespace.of(prefix, Namespace.NO_TENANT, "wide", 1, 0);
				List<String> tags = new ArrayList<>();
				for (int i = 0; i < 64; i++) {
					tags.add(String.format("%03d", i) + "x".repeat(253));
				}
				byte[] value = "\"v\"".getBytes(StandardCharsets.UTF_8);
				for (int i = 0; i < ENTRIES; i++) {
					store.store(shard, "k" + i, value, Duration.ofMinutes(10), LoadStart.NOW, 0, tags,
							RedisTagStore.REPLACE);
				}
				try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
					redis.sync().configSet("slowlog-log-slower-than", "0");
					redis.sync().configSet("slowlog-max-len", "10000");
					redis.sync().slowlogReset();

					long removed = context.getBean(CacheTagOperations.class).purge("wide", tags.get(63));
					await("the purge's background drain").atMost(Duration.ofMinutes(2))
						.pollInterval(Duration.ofMillis(20))
						.until(() -> store.drainsInProgress() == 0);

					List<Object> log = redis.sync().slowlogGet(10000);
					redis.sync().configSet("slowlog-log-slower-than", "10000");
					long slowest = 0;
					for (Object raw : log) {
						// an entry: id, time, duration in microseconds, arguments, ...
						List<?> entry = (List<?>) raw;
						String command = String.valueOf(((List<?>) entry.get(3)).get(0)).toUpperCase();
						if (command.startsWith("EVAL")) {
							slowest = Math.max(slowest, (Long) entry.get(2));
						}
					}
					System.out.printf("[purge step] %d entries with 64 tags of 256 chars, batch %d: slowest script"
							+ " call %d us%n", removed, MAX_BATCH, slowest);
					assertThat(removed).isEqualTo(ENTRIES);
					assertThat(redis.countKeys("{" + prefix + ":_:wide:0}:v1:e:*")).as("entries left after the drain")
						.isZero();
					// about 4 ms here; the bound leaves room for a loaded machine and still catches a step that grows
					// with the tag's size rather than the batch's
					assertThat(slowest).as("microseconds of the slowest script call").isLessThan(20_000);
				}
			});
	}

}
