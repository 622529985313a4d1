package io.github.cachetags.it;

import java.util.ArrayList;
import java.util.List;

import io.github.cachetags.cache.EntryTags;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one entry costs in Redis keys and bytes, as docs/design.md ("Metadata per entry") states: the entry is one
 * string; each of its tags is one index member (the cache-wide tag has a mark and no index); marks, indexes and the
 * shard's stamp key are shared by every entry of the shard. Prints {@code MEMORY USAGE} of each kind of key.
 */
class MetadataSizeIT {

	static final int ENTRIES = 1_000;

	@Test
	void anEntryIsOneKeyAndOneIndexMemberPerTagEverythingElseIsSharedByTheShard() {
		try (RedisServer server = RedisServer.startProcess()) {
			String prefix = CacheTagsContexts.uniquePrefix();
			CacheTagsContexts.onRedis(server)
				.withPropertyValues("cachetags.key-prefix=" + prefix, "cachetags.eviction-policy-check=ignore")
				.run((context) -> {
					TagAwareCache cache = context.getBean(TagAwareCacheManager.class).getCache("sizes");
					String value = "x".repeat(200);
					for (int i = 0; i < ENTRIES; i++) {
						int id = i;
						cache.put(i, value, (stored) -> List.of("item:" + id, "group:" + (id % 10), "all"));
					}
					try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
						List<String> keys = keys(redis, "{" + prefix + ":*");
						String ns = "{" + prefix + ":_:sizes:0}:v1:";
						long entries = keys.stream().filter((key) -> key.startsWith(ns + "e:")).count();
						long marks = keys.stream().filter((key) -> key.startsWith(ns + "m:")).count();
						long indexes = keys.stream().filter((key) -> key.startsWith(ns + "i:")).count();
						long entryBytes = redis.sync().memoryUsage(ns + "e:7");
						long markBytes = redis.sync().memoryUsage(ns + "m:item:7");
						long perItemIndex = redis.sync().memoryUsage(ns + "i:item:7");
						long groupIndex = redis.sync().memoryUsage(ns + "i:group:7");
						long allIndex = redis.sync().memoryUsage(ns + "i:all");
						long stamp = redis.sync().memoryUsage(ns + "q");
						System.out.printf("[metadata] %d entries of %d bytes with 3 tags (one per entry, one of 10 groups,"
								+ " one shared): %d entry keys (MEMORY USAGE %d bytes each), %d marks (%d bytes each"
								+ " for a per-entry tag), %d indexes (per-entry tag %d bytes, a group of %d entries %d"
								+ " bytes, the shared tag %d bytes for %d members), stamp key %d bytes%n", ENTRIES,
								value.length(), entries, entryBytes, marks, markBytes, indexes, perItemIndex, ENTRIES / 10,
								groupIndex, allIndex, ENTRIES, stamp);
						assertThat(entries).isEqualTo(ENTRIES);
						assertThat(marks).as("one mark per tag: per-entry, groups, shared, cache-wide")
							.isEqualTo(ENTRIES + 10 + 1 + 1);
						assertThat(indexes).as("one index per tag, none for the cache-wide tag")
							.isEqualTo(ENTRIES + 10 + 1);
						assertThat(redis.sync().type(ns + "e:7")).as("an entry").isEqualTo("string");
						assertThat(keys).as("nothing else in the shard but its stamp key")
							.hasSize((int) (entries + marks + indexes + 1));
					}
				});
		}
	}

	private static List<String> keys(RedisCommandsForTests redis, String pattern) {
		List<String> keys = new ArrayList<>();
		ScanIterator.scan(redis.sync(), ScanArgs.Builder.matches(pattern).limit(1000)).forEachRemaining(keys::add);
		return keys;
	}

}
