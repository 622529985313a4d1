package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.cache.CacheStatistics;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stale-set race under load: readers load a versioned row through {@code @Cacheable} while a writer bumps
 * the version and purges its tag. Once a purge has returned, no read may see a version older than the one the
 * row had when the purge began. Without the write guard in {@code put.lua}, a load that read the row before the
 * bump stores its old version after the purge and later reads see it. It runs with every {@code @Cacheable}
 * coalesced (loads through {@code Cache.get(key, loader)}, waiters sharing a flight) and with plain cache-aside
 * ({@code get}, then {@code put} stamped with the invocation's start).
 */
class StaleSetRaceIT {

	static final int ROWS = 4;

	static final int READERS = 4;

	static final int READS_PER_READER = 4_000;

	static final int MIN_PURGES = 300;

	static final Duration LIMIT = Duration.ofSeconds(120);

	@ParameterizedTest(name = "coalescing mode {0}, near cache {1}")
	@CsvSource({ "all, false", "sync-only, false", "all, true", "sync-only, true" })
	void noReadSeesAVersionOlderThanTheLastCompletedPurge(String coalescingMode, boolean near) {
		CacheTagsContexts.onRedis(RedisServer.shared())
			.withUserConfiguration(RaceConfiguration.class)
			.withPropertyValues("cachetags.coalescing.mode=" + coalescingMode, "cachetags.local.enabled=" + near)
			.run((context) -> {
				VersionedRows rows = context.getBean(VersionedRows.class);
				CacheTagOperations operations = context.getBean(CacheTagOperations.class);
				AtomicLongArray floor = new AtomicLongArray(ROWS);
				AtomicInteger staleReads = new AtomicInteger();
				AtomicInteger purges = new AtomicInteger();
				AtomicInteger reads = new AtomicInteger();
				AtomicBoolean readersDone = new AtomicBoolean();
				List<String> firstViolations = new ArrayList<>();
				ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
				long started = System.nanoTime();
				Future<?> writer = pool.submit(() -> {
					int round = 0;
					while (!readersDone.get()) {
						int row = round++ % ROWS;
						rows.bump(row);
						long versionAtPurgeStart = rows.version(row);
						operations.purge("row:" + row);
						floor.accumulateAndGet(row, versionAtPurgeStart, Math::max);
						purges.incrementAndGet();
						LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
					}
				});
				List<Future<?>> readers = new ArrayList<>();
				for (int r = 0; r < READERS; r++) {
					readers.add(pool.submit(() -> {
						long giveUp = started + LIMIT.toNanos() / 2;
						// near hits are fast: read on until the writer has purged often enough to race with them
						for (int i = 0; i < READS_PER_READER
								|| (purges.get() < MIN_PURGES && System.nanoTime() - giveUp < 0); i++) {
							reads.incrementAndGet();
							int row = ThreadLocalRandom.current().nextInt(ROWS);
							long atLeast = floor.get(row);
							long seen = rows.read(row);
							if (seen < atLeast) {
								staleReads.incrementAndGet();
								synchronized (firstViolations) {
									if (firstViolations.size() < 5) {
										firstViolations.add("row " + row + ": read v" + seen + " after purge at v" + atLeast);
									}
								}
							}
						}
						return null;
					}));
				}
				for (Future<?> reader : readers) {
					reader.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
				}
				readersDone.set(true);
				writer.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
				pool.shutdown();
				long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

				CacheStatistics stats = context.getBean(TagAwareCacheManager.class).getCaches().get("rows")
					.getStatistics();
				TagAwareCache cache = context.getBean(TagAwareCacheManager.class).getCaches().get("rows");
				long nearHits = (cache.getNearStatistics() != null) ? cache.getNearStatistics().hits() : 0;
				System.out.printf("[stale-set race, coalescing " + coalescingMode + ", near cache " + near
						+ "] %d reads, %d purges, %d loads, %d hits (%d near), %d stores, %d refused stores, %d stale reads"
						+ " in %d ms%n", reads.get(), purges.get(), rows.loads(), stats.hits(), nearHits,
						stats.puts(), stats.refusedPuts(), staleReads.get(), millis);
				if (near) {
					assertThat(nearHits).as("the near cache is used").isPositive();
				}
				assertThat(reads.get() + purges.get()).isGreaterThanOrEqualTo(10_000);
				assertThat(purges.get()).isGreaterThanOrEqualTo(MIN_PURGES);
				assertThat(stats.hits()).as("the cache is used").isPositive();
				assertThat(firstViolations).as("stale reads").isEmpty();
				assertThat(staleReads.get()).isZero();
			});
	}

	/**
	 * A "database" of versioned rows whose loads are slow enough to overlap purges.
	 */
	static class VersionedRows {

		private final AtomicLongArray versions = new AtomicLongArray(ROWS);

		private final AtomicInteger loads = new AtomicInteger();

		void bump(int row) {
			this.versions.incrementAndGet(row);
		}

		long version(int row) {
			return this.versions.get(row);
		}

		int loads() {
			return this.loads.get();
		}

		@Cacheable(cacheNames = "rows")
		@CacheTags("'row:' + #row")
		public long read(int row) {
			this.loads.incrementAndGet();
			long version = this.versions.get(row);
			// the window in which a purge may overtake this load
			LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(500_000));
			return version;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class RaceConfiguration {

		@Bean
		VersionedRows versionedRows() {
			return new VersionedRows();
		}

	}

}
