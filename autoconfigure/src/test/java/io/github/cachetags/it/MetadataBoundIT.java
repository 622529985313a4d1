package io.github.cachetags.it;

import java.time.Duration;
import java.util.List;

import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.cache.EntryTags;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After many short-lived writes, metadata is proportional to live entries, not to every entry ever written.
 */
class MetadataBoundIT {

	static final int ROUNDS = 8;

	static final int PER_ROUND = 500;

	@Test
	void tagIndexesShedExpiredMembersAndMetadataExpiresWithTheEntries() {
		CacheTagsContexts.onRedis(RedisServer.shared())
			.withPropertyValues("cachetags.caches.short.ttl=300ms", "cachetags.max-load-time=500ms")
			.run((context) -> {
				TagAwareCache cache = context.getBean(TagAwareCacheManager.class).getCache("short");
				String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
				String namespace = "{" + prefix + ":_:short:0}:v1:";
				try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
					long largestIndex = 0;
					for (int round = 0; round < ROUNDS; round++) {
						for (int i = 0; i < PER_ROUND; i++) {
							cache.put("r" + round + "-" + i, i, tags("hot", "group:" + (i % 5)));
						}
						largestIndex = Math.max(largestIndex, redis.sync().zcard(namespace + "i:hot"));
						String last = namespace + "e:r" + round + "-" + (PER_ROUND - 1);
						await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().exists(last) == 0);
					}
					System.out.printf("[metadata] %d entries written; largest 'hot' index: %d members%n",
							ROUNDS * PER_ROUND, largestIndex);
					assertThat(largestIndex).as("index holds about one round of live entries")
						.isLessThanOrEqualTo(2L * PER_ROUND);
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(keys(redis, namespace + "*"))
							.as("once entries expired no metadata is left, not even the shard's stamp key")
							.isEmpty());
				}
			});
	}

	private static List<String> keys(RedisCommandsForTests redis, String pattern) {
		List<String> keys = new java.util.ArrayList<>();
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<String> page = redis.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
			keys.addAll(page.getKeys());
			cursor = page;
		}
		while (!cursor.isFinished());
		return keys;
	}

	static EntryTags tags(String... tags) {
		return (value) -> List.of(tags);
	}

}
