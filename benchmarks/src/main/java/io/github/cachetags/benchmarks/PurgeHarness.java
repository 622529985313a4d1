package io.github.cachetags.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.benchmarks.Contexts.Contender;
import io.github.cachetags.benchmarks.RedisAdmin.SlowestCommand;
import io.github.cachetags.store.RedisTagStore;

import org.springframework.cache.CacheManager;
import org.springframework.context.support.GenericApplicationContext;

import static io.github.cachetags.benchmarks.Stats.f;

/**
 * Single-shot timings (plain {@code System.nanoTime()}, not JMH) of purging one tag that {@code n} entries carry
 * with CacheTags, against {@code RedisCacheManager} clearing a cache of {@code n} entries by pattern with
 * {@code BatchStrategies.scan(1000)}, in a Redis that holds a ballast of other keys. The slowlog logs every command
 * (threshold 0) during each timed call, so the longest single Redis command is known.
 */
final class PurgeHarness {

	private PurgeHarness() {
	}

	/**
	 * Waits until the purge's background drain is done (polled every millisecond, at most a minute), so that the
	 * next run and the clear start on a quiet Redis and the slowlog covers the drain's commands too.
	 */
	private static void awaitDrains(RedisTagStore store) {
		long deadline = System.nanoTime() + 60_000_000_000L;
		while (store.drainsInProgress() > 0 && System.nanoTime() < deadline) {
			LockSupport.parkNanos(1_000_000);
		}
	}

	static void run(BenchRedis redis, Profile profile) {
		System.out.println();
		System.out.println("== Purge one tag (CacheTags purge) vs clear by pattern (RedisCacheManager, scan(1000))");
		System.out.println(f("ballast: %,d keys; sizes %s; %d runs each; single-shot, System.nanoTime()",
				profile.ballastKeys(), profile.purgeSizes(), profile.purgeRuns()));
		try (RedisAdmin admin = new RedisAdmin(redis)) {
			admin.flushAll();
			long filled = System.nanoTime();
			admin.fillBallast(0, profile.ballastKeys(), "ballast-value-of-about-32-bytes!");
			System.out.println(f("ballast written in %.1f s; DBSIZE %,d", (System.nanoTime() - filled) / 1e9,
					admin.dbSize()));
			GenericApplicationContext cacheTags = Contexts.start(Contender.CACHETAGS, redis);
			GenericApplicationContext redisCacheManager = Contexts.start(Contender.REDIS_CACHE_MANAGER, redis);
			try {
				ProductService tagged = cacheTags.getBean(ProductService.class);
				CacheTagOperations operations = cacheTags.getBean(CacheTagOperations.class);
				RedisTagStore store = cacheTags.getBean(RedisTagStore.class);
				ProductService plain = redisCacheManager.getBean(ProductService.class);
				CacheManager plainManager = redisCacheManager.getBean(CacheManager.class);
				System.out.println("| entries | run | CacheTags purge ms | then drained in the background, ms | "
						+ "longest command µs | RedisCacheManager clear ms | longest command µs | removed (CT listed/RCM) | "
						+ "DBSIZE during |");
				System.out.println("|---|---|---|---|---|---|---|---|---|");
				List<String> summary = new ArrayList<>();
				long nextId = 0;
				for (int size : profile.purgeSizes()) {
					double[] cacheTagsMs = new double[profile.purgeRuns()];
					double[] drainMs = new double[profile.purgeRuns()];
					double[] plainMs = new double[profile.purgeRuns()];
					long cacheTagsLongest = 0;
					long plainLongest = 0;
					for (int run = 0; run < profile.purgeRuns(); run++) {
						long from = nextId;
						nextId += size;
						Parallel.forEach(from, from + size, (id) -> tagged.bulk(id, Product.of(id)));
						Parallel.forEach(from, from + size, (id) -> plain.bulk(id, Product.of(id)));
						long dbSize = admin.dbSize();

						admin.slowlogEverything();
						long started = System.nanoTime();
						long removed = operations.purge("bulk");
						cacheTagsMs[run] = (System.nanoTime() - started) / 1e6;
						awaitDrains(store);
						drainMs[run] = (System.nanoTime() - started) / 1e6;
						SlowestCommand cacheTagsSlowest = admin.slowest();
						admin.slowlogOff();

						long before = admin.dbSize();
						admin.slowlogEverything();
						started = System.nanoTime();
						plainManager.getCache("purge").clear();
						plainMs[run] = (System.nanoTime() - started) / 1e6;
						SlowestCommand plainSlowest = admin.slowest();
						admin.slowlogOff();
						long plainRemoved = before - admin.dbSize();

						cacheTagsLongest = Math.max(cacheTagsLongest, cacheTagsSlowest.micros());
						plainLongest = Math.max(plainLongest, plainSlowest.micros());
						System.out.println(f("| %,d | %d | %.1f | %.1f | %,d (%s, %,d logged) | %.1f | %,d (%s, %,d logged) | "
								+ "%,d / %,d | %,d |", size, run + 1, cacheTagsMs[run], drainMs[run],
								cacheTagsSlowest.micros(),
								cacheTagsSlowest.command(), cacheTagsSlowest.logged(), plainMs[run],
								plainSlowest.micros(), plainSlowest.command(), plainSlowest.logged(), removed,
								plainRemoved, dbSize));
					}
					Costs.record("purge.size", size);
					Costs.record("purge.cachetags.ms", Stats.median(cacheTagsMs));
					Costs.record("purge.rcm.ms", Stats.median(plainMs));
					Costs.record("purge.drain.ms", Stats.median(drainMs));
					summary.add(f("| %,d | %.1f (%.1f-%.1f) | %.1f | %.1f (%.1f-%.1f) | %.1fx | %,d | %,d |", size,
							Stats.median(cacheTagsMs), Stats.min(cacheTagsMs), Stats.max(cacheTagsMs),
							Stats.median(drainMs),
							Stats.median(plainMs), Stats.min(plainMs), Stats.max(plainMs),
							Stats.median(plainMs) / Stats.median(cacheTagsMs), cacheTagsLongest, plainLongest));
				}
				System.out.println();
				System.out.println("Purge summary: median (min-max) of the runs; speed-up = RedisCacheManager median "
						+ "/ CacheTags median; longest = slowest single command over all runs");
				System.out.println("| entries | CacheTags purge ms | drained by, ms | RedisCacheManager clear ms | "
						+ "speed-up | CacheTags longest µs | RedisCacheManager longest µs |");
				System.out.println("|---|---|---|---|---|---|---|");
				summary.forEach(System.out::println);
			}
			finally {
				cacheTags.close();
				redisCacheManager.close();
				admin.slowlogOff();
				admin.flushAll();
			}
		}
	}

}
