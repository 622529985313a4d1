package io.github.cachetags.it;

import java.time.Duration;
import java.util.List;

import io.github.cachetags.TenantResolver;
import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.cache.EntryTags;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After many short-lived writes, tenants and versions, metadata is proportional to live entries, not to every entry,
 * tenant or version ever used.
 */
class MetadataBoundIT {

	static final int ROUNDS = 8;

	static final int PER_ROUND = 500;

	static final int TENANTS = 1000;

	static final int VERSIONS = 20;

	static final ThreadLocal<String> tenant = new ThreadLocal<>();

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

	@Test
	void tenantChurnAndVersionBumpsLeaveNoMetadataOnceEntriesExpire() {
		String prefix = CacheTagsContexts.uniquePrefix();
		int tenantsPerVersion = TENANTS / VERSIONS;
		for (int version = 1; version <= VERSIONS; version++) {
			int first = version * tenantsPerVersion;
			CacheTagsContexts.onRedis(RedisServer.shared())
				.withUserConfiguration(TenantConfiguration.class)
				.withPropertyValues("cachetags.key-prefix=" + prefix, "cachetags.caches.churn.ttl=300ms",
						"cachetags.max-load-time=500ms", "cachetags.caches.churn.version=" + version)
				.run((context) -> {
					TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
					TagAwareCache cache = manager.getCache("churn");
					for (int t = first; t < first + tenantsPerVersion; t++) {
						tenant.set("tenant-" + t);
						try {
							cache.put("k", t, tags("a", "b"));
							manager.purge("a");
						}
						finally {
							tenant.remove();
						}
					}
				});
		}
		try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(keys(redis, "{" + prefix + ":*"))
					.as("entries, marks, indexes and stamp keys of %d tenants and %d versions", TENANTS, VERSIONS)
					.isEmpty());
			assertThat(redis.sync().zcard(prefix + ":layouts")).as("one recorded layout per version, not per tenant")
				.isEqualTo(VERSIONS);
		}
	}

	@Test
	void aLayoutNoInstanceRecordsAgainIsForgottenOnceItsEntriesCannotBeAlive() {
		CacheTagsContexts.onRedis(RedisServer.shared()).run((context) -> {
			RedisTagStore store = context.getBean(RedisTagStore.class);
			store.register(List.of("old\t1\t1"), Duration.ofMillis(50));
			assertThat(store.registered()).contains("old\t1\t1");

			await().atMost(Duration.ofSeconds(10)).until(() -> !store.registered().contains("old\t1\t1"));
			store.register(List.of("new\t1\t1"), Duration.ofMinutes(1));
			try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
				String registry = context.getBean(CacheTagsProperties.class).getKeyPrefix() + ":layouts";
				assertThat(redis.sync().zscore(registry, "old\t1\t1")).as("removed by the next registration").isNull();
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

	@Configuration(proxyBeanMethods = false)
	static class TenantConfiguration {

		@Bean
		TenantResolver tenantResolver() {
			return tenant::get;
		}

	}

	static EntryTags tags(String... tags) {
		return (value) -> List.of(tags);
	}

}
