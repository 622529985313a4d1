package io.github.cachetags.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongPredicate;

import io.github.cachetags.benchmarks.Contexts.Contender;

import org.springframework.context.support.GenericApplicationContext;

import static io.github.cachetags.benchmarks.Stats.f;

/**
 * Redis {@code used_memory} per 100,000 entries with 0, 1 and 3 tags (CacheTags) and without tags
 * ({@code RedisCacheManager}); then what is left once the entries have expired (tag marks live
 * {@code max-load-time} longer), and once the marks have expired too. Waits poll {@code DBSIZE} with a deadline.
 */
final class MemoryHarness {

	private MemoryHarness() {
	}

	private record Case(String label, Contender contender, int tags) {
	}

	static void run(BenchRedis redis, Profile profile) {
		int entries = profile.memoryEntries();
		Duration ttl = profile.memoryTtl();
		Duration maxLoadTime = profile.memoryMaxLoadTime();
		System.out.println();
		System.out.println(f("== Memory: %,d entries, TTL %d s, cachetags.max-load-time %d s; bytes of used_memory "
				+ "above an empty database, scaled to 100,000 entries", entries, ttl.toSeconds(),
				maxLoadTime.toSeconds()));
		System.out.println(f("| case | write s | keys after write | bytes per 100k entries | after the entries expired "
				+ "(for all %,d): keys, bytes | after the marks expired too: keys, bytes |", entries));
		System.out.println("|---|---|---|---|---|---|");
		Case[] cases = { new Case("RedisCacheManager, no tags", Contender.REDIS_CACHE_MANAGER, 0),
				new Case("CacheTags, 0 tags", Contender.CACHETAGS, 0),
				new Case("CacheTags, 1 tag (product:id)", Contender.CACHETAGS, 1),
				new Case("CacheTags, 3 tags (product:id, category, brand)", Contender.CACHETAGS, 3) };
		try (RedisAdmin admin = new RedisAdmin(redis)) {
			for (Case c : cases) {
				admin.flushAll();
				GenericApplicationContext context = Contexts.start(c.contender(), redis, ttl,
						Map.of("cachetags.max-load-time", maxLoadTime.toMillis() + "ms"));
				try {
					ProductService service = context.getBean(ProductService.class);
					long baseline = admin.usedMemory();
					long started = System.nanoTime();
					Parallel.forEach(0, entries, (id) -> {
						Product product = Product.of(id);
						switch (c.tags()) {
							case 0 -> service.memory0(id, product);
							case 1 -> service.memory1(id, product);
							default -> service.memory3(id, product);
						}
					});
					double writeSeconds = (System.nanoTime() - started) / 1e9;
					long written = admin.usedMemory() - baseline;
					long keys = admin.dbSize();
					if (writeSeconds > ttl.toSeconds() / 2.0) {
						System.out.println(f("WARNING: writing took %.1f s, over half the TTL; early entries may "
								+ "have expired before the measurement", writeSeconds));
					}
					// Keys left once every entry has expired: the marks (one per distinct tag, plus the cache's),
					// the shard's purge watermark and the cache registry.
					long distinctTags = switch (c.tags()) {
						case 0 -> 0;
						case 1 -> entries;
						default -> entries + 100 + 10;
					};
					long metadataKeys = (c.contender() == Contender.CACHETAGS) ? distinctTags + 1 + 2 : 0;
					String afterEntries = awaitKeys(admin, (n) -> n <= metadataKeys,
							ttl.plusSeconds(90), baseline);
					String afterMarks = (c.contender() == Contender.CACHETAGS)
							? awaitKeys(admin, (n) -> n <= 2, maxLoadTime.plusSeconds(90), baseline) : "-";
					System.out.println(f("| %s | %.1f | %,d | %,d | %s | %s |", c.label(), writeSeconds, keys,
							written * 100_000L / entries, afterEntries, afterMarks));
					Costs.record("memory." + ((c.contender() == Contender.CACHETAGS) ? "cachetags" : "rcm") + "."
							+ c.tags(), written * 100_000.0 / entries);
				}
				finally {
					context.close();
				}
			}
			admin.flushAll();
		}
	}

	/** Polls DBSIZE every 200 ms until the condition holds or the deadline passes. */
	private static String awaitKeys(RedisAdmin admin, LongPredicate done, Duration timeout, long baseline) {
		long deadline = System.nanoTime() + timeout.toNanos();
		long keys = admin.dbSize();
		while (!done.test(keys) && System.nanoTime() < deadline) {
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			keys = admin.dbSize();
		}
		String result = f("%,d keys, %,d bytes", keys, admin.usedMemory() - baseline);
		return done.test(keys) ? result : result + " (deadline reached)";
	}

}
