package io.github.cachetags.it;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.github.cachetags.TenantResolver;
import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.annotation.EvictTags;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.Instances;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Four instances share a Redis small enough that it evicts entries and metadata (marks, indexes, stamp keys)
 * all the time, under {@code allkeys-lru}. Readers of two tenants read through sync and non-sync
 * {@code @Cacheable}; writers change the shared database and invalidate through {@code @CachePut},
 * {@code @CacheEvict}, {@code @EvictTags} on a row and on a whole group, and {@code Cache.evict}. No read may
 * return a row older than the last write whose invalidation returned before the read began, nor another tenant's
 * row.
 */
class ChaosIT {

	static final Duration DURATION = Duration.ofSeconds(Long.getLong("cachetags.chaos.seconds", 60));

	static final int INSTANCES = 4;

	static final int TENANTS = 2;

	static final int ROWS = 500;

	static final int GROUPS = 12;

	static final int READERS = 6;

	static final long MEMORY_FOR_DATA = 1_000_000;

	static final int WRITERS = 2;

	static final ThreadLocal<String> tenant = new ThreadLocal<>();

	/** The database every instance reads: rows per tenant, and the version whose invalidation has returned. */
	static final Database database = new Database();

	/** With near caches: how long another instance may serve a value after its invalidation returned. */
	static final Duration MAX_STALENESS = Duration.ofSeconds(1);

	/** Room for a check thread the loaded machine runs late; the figure printed is the one measured. */
	static final Duration SCHEDULING_SLACK = Duration.ofSeconds(1);

	@ParameterizedTest(name = "near caches {0}")
	@ValueSource(booleans = { false, true })
	void noStaleOrCrossTenantReadUnderMemoryPressureAcrossFourInstances(boolean near) throws Exception {
		Duration duration = near ? DURATION.dividedBy(2) : DURATION;
		try (RedisServer server = RedisServer.startProcess("--maxmemory-policy", "allkeys-lru",
				"--maxmemory-samples", "3")) {
			limitMemory(server, MEMORY_FOR_DATA);
			database.reset();
			ApplicationContextRunner instance = CacheTagsContexts.onRedis(server)
				.withUserConfiguration(ShopConfiguration.class)
				.withPropertyValues("cachetags.key-prefix=" + CacheTagsContexts.uniquePrefix(),
						"cachetags.caches.rows.ttl=20s", "cachetags.caches.plain.ttl=20s",
						"cachetags.eviction-policy-check=ignore", "spring.data.redis.timeout=2s",
						"cachetags.local.enabled=" + near, "cachetags.local.max-staleness=" + MAX_STALENESS.toMillis() + "ms");
			Instances.run(instance, INSTANCES, (contexts) -> {
				Figures figures = run(contexts, duration, near ? MAX_STALENESS.plus(SCHEDULING_SLACK) : Duration.ZERO);
				long evicted = evictedKeys(server);
				System.out.printf("[chaos] %d s, %d instances, %d tenants, near caches %s: %d reads (%d hits, %d near),"
						+ " %d writes, %d stale reads, %d cross-tenant reads, %d refused stores, %d keys evicted by Redis,"
						+ " %d Redis errors; oldest value served by another instance after its invalidation: %d ms%n",
						duration.toSeconds(), INSTANCES, TENANTS, near ? "on" : "off", figures.reads.sum(),
						figures.hits(contexts), figures.nearHits(contexts),
						figures.writes.sum(), figures.stale.size(), figures.crossTenant.size(),
						figures.refused(contexts), evicted, figures.errors(contexts),
						TimeUnit.NANOSECONDS.toMillis(figures.oldestNearServe.get()));
				figures.stale.stream().limit(5).forEach((line) -> System.out.println("[chaos] stale: " + line));
				figures.crossTenant.stream().limit(5).forEach((line) -> System.out.println("[chaos] tenant: " + line));
				assertThat(evicted).as("Redis evicted keys, so metadata was lost during the run").isPositive();
				assertThat(figures.writes.sum()).isPositive();
				assertThat(figures.stale).as("stale reads").isEmpty();
				assertThat(figures.crossTenant).as("cross-tenant reads").isEmpty();
			});
		}
	}

	/**
	 * @param bound how long after an invalidation returned an instance other than the one that made it may still
	 * serve the older value (zero without near caches)
	 */
	private static Figures run(List<AssertableApplicationContext> contexts, Duration duration, Duration bound)
			throws Exception {
		List<Shop> shops = contexts.stream().map((context) -> context.getBean(Shop.class)).toList();
		Figures figures = new Figures();
		long deadline = System.nanoTime() + duration.toNanos();
		ExecutorService pool = Executors.newFixedThreadPool(READERS + WRITERS);
		List<Future<?>> workers = new ArrayList<>();
		for (int r = 0; r < READERS; r++) {
			workers.add(pool.submit(() -> {
				while (System.nanoTime() - deadline < 0) {
					read(shops, figures, bound);
				}
				return null;
			}));
		}
		for (int w = 0; w < WRITERS; w++) {
			workers.add(pool.submit(() -> {
				while (System.nanoTime() - deadline < 0) {
					write(shops, contexts, figures);
				}
				return null;
			}));
		}
		for (Future<?> worker : workers) {
			worker.get(duration.toSeconds() + 120, TimeUnit.SECONDS);
		}
		pool.shutdown();
		return figures;
	}

	private static void read(List<Shop> shops, Figures figures, Duration bound) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		int instance = random.nextInt(shops.size());
		Shop shop = shops.get(instance);
		String who = "t" + random.nextInt(TENANTS);
		long id = random.nextInt(ROWS);
		boolean sync = random.nextBoolean();
		tenant.set(who);
		try {
			long started = System.nanoTime();
			long committed = bound.isZero() ? database.committed(who, id)
					: database.floor(who, id, instance, started - bound.toNanos());
			Row row = sync ? shop.row(id) : shop.plain(id);
			if (!bound.isZero() && row.version() < database.committed(who, id)) {
				figures.servedOlder(started - database.firstCommitAfter(who, id, row.version()));
			}
			figures.reads.increment();
			if (!row.tenant().equals(who)) {
				figures.crossTenant.add(who + " read " + row + " via " + (sync ? "row" : "plain"));
			}
			else if (row.version() < committed) {
				figures.stale.add(who + " read v" + row.version() + " of row " + id + " after v" + committed
						+ " was committed, via " + (sync ? "row" : "plain"));
			}
		}
		finally {
			tenant.remove();
		}
	}

	private static void write(List<Shop> shops, List<AssertableApplicationContext> contexts, Figures figures) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		int instance = random.nextInt(shops.size());
		Shop shop = shops.get(instance);
		String who = "t" + random.nextInt(TENANTS);
		long id = random.nextInt(ROWS);
		tenant.set(who);
		ReentrantLock lock = database.lock(who, id);
		lock.lock();
		try {
			int kind = random.nextInt(4);
			Row written = switch (kind) {
				case 0 -> shop.updateAndPut(id);
				case 1 -> shop.updateAndPurgeRow(id);
				case 2 -> shop.updateAndPurgeGroup(id);
				default -> {
					Row row = database.update(who, id);
					CacheManager manager = contexts.get(instance).getBean(CacheManager.class);
					for (String name : List.of("rows", "plain")) {
						Cache cache = manager.getCache(name);
						cache.evict(id);
					}
					yield row;
				}
			};
			database.commit(who, id, written.version(), instance);
			figures.writes.increment();
		}
		finally {
			lock.unlock();
			tenant.remove();
		}
	}

	private static long evictedKeys(RedisServer server) {
		return Long.parseLong(info(server, "stats").getProperty("evicted_keys", "0"));
	}

	/**
	 * Lets the data set grow by {@code bytes} over what the empty server uses, so that the run's entries and
	 * metadata (about three times as much) keep Redis evicting.
	 */
	private static void limitMemory(RedisServer server, long bytes) {
		long used = Long.parseLong(info(server, "memory").getProperty("used_memory"));
		try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
			redis.sync().configSet("maxmemory", Long.toString(used + bytes));
		}
	}

	private static Properties info(RedisServer server, String section) {
		try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
			Properties info = new Properties();
			for (String line : redis.sync().info(section).split("\r?\n")) {
				int colon = line.indexOf(':');
				if (colon > 0) {
					info.setProperty(line.substring(0, colon), line.substring(colon + 1).trim());
				}
			}
			return info;
		}
	}

	static final class Figures {

		final LongAdder reads = new LongAdder();

		final LongAdder writes = new LongAdder();

		final ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();

		final ConcurrentLinkedQueue<String> crossTenant = new ConcurrentLinkedQueue<>();

		/** The longest time after an invalidation returned that an older value was served (near caches). */
		final AtomicLong oldestNearServe = new AtomicLong();

		void servedOlder(long nanosSinceInvalidation) {
			this.oldestNearServe.accumulateAndGet(nanosSinceInvalidation, Math::max);
		}

		long nearHits(List<AssertableApplicationContext> contexts) {
			long total = 0;
			for (AssertableApplicationContext context : contexts) {
				for (var cache : context.getBean(TagAwareCacheManager.class).getCaches().values()) {
					total += (cache.getNearStatistics() != null) ? cache.getNearStatistics().hits() : 0;
				}
			}
			return total;
		}

		long hits(List<AssertableApplicationContext> contexts) {
			return sum(contexts, (stats) -> stats.hits());
		}

		long refused(List<AssertableApplicationContext> contexts) {
			return sum(contexts, (stats) -> stats.refusedPuts());
		}

		long errors(List<AssertableApplicationContext> contexts) {
			return sum(contexts, (stats) -> stats.errors());
		}

		private static long sum(List<AssertableApplicationContext> contexts,
				java.util.function.ToLongFunction<io.github.cachetags.cache.CacheStatistics> figure) {
			long total = 0;
			for (AssertableApplicationContext context : contexts) {
				for (var cache : context.getBean(TagAwareCacheManager.class).getCaches().values()) {
					total += figure.applyAsLong(cache.getStatistics());
				}
			}
			return total;
		}

	}

	record Row(String tenant, long id, int group, long version, String payload) implements Serializable {
	}

	/**
	 * Rows per tenant; a row's version rises with every write. {@code committed} is the newest version whose
	 * invalidation has returned: from then on no read may return an older one.
	 */
	static final class Database {

		private static final String PAYLOAD = "x".repeat(1000);

		private static final Duration QUERY_TIME = Duration.ofMillis(1);

		private final Map<String, Row> rows = new ConcurrentHashMap<>();

		private final Map<String, AtomicLong> committed = new ConcurrentHashMap<>();

		private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

		/** Per row and instance, the newest version whose invalidation that instance made and returned from. */
		private final Map<String, AtomicLong> committedOn = new ConcurrentHashMap<>();

		/** Per row, recent commits: version and when its invalidation returned. */
		private final Map<String, java.util.Deque<long[]>> history = new ConcurrentHashMap<>();

		void reset() {
			this.rows.clear();
			this.committed.clear();
			this.committedOn.clear();
			this.history.clear();
		}

		/**
		 * The oldest version a read on {@code instance} may return: the newest one that instance committed, or any
		 * instance committed before {@code settledBefore}.
		 */
		long floor(String tenant, long id, int instance, long settledBefore) {
			AtomicLong own = this.committedOn.get(tenant + "/" + id + "@" + instance);
			long floor = (own != null) ? own.get() : 1;
			java.util.Deque<long[]> commits = this.history.get(tenant + "/" + id);
			if (commits != null) {
				synchronized (commits) {
					for (long[] commit : commits) {
						if (commit[1] - settledBefore <= 0) {
							floor = Math.max(floor, commit[0]);
						}
					}
				}
			}
			return floor;
		}

		/** When the first invalidation of a version newer than {@code version} returned. */
		long firstCommitAfter(String tenant, long id, long version) {
			java.util.Deque<long[]> commits = this.history.get(tenant + "/" + id);
			long first = System.nanoTime();
			if (commits != null) {
				synchronized (commits) {
					for (long[] commit : commits) {
						if (commit[0] > version && commit[1] - first < 0) {
							first = commit[1];
						}
					}
				}
			}
			return first;
		}

		Row get(String tenant, long id) {
			Row row = this.rows.computeIfAbsent(tenant + "/" + id,
					(key) -> new Row(tenant, id, (int) (id % GROUPS), 1, PAYLOAD));
			// a query takes a little while, as a real one does: invalidations land while loads are in flight
			LockSupport.parkNanos(QUERY_TIME.toNanos());
			return row;
		}

		Row update(String tenant, long id) {
			return this.rows.compute(tenant + "/" + id, (key, row) -> (row == null)
					? new Row(tenant, id, (int) (id % GROUPS), 2, PAYLOAD)
					: new Row(tenant, id, row.group(), row.version() + 1, PAYLOAD));
		}

		long committed(String tenant, long id) {
			AtomicLong version = this.committed.get(tenant + "/" + id);
			return (version != null) ? version.get() : 1;
		}

		void commit(String tenant, long id, long version, int instance) {
			long now = System.nanoTime();
			this.committed.computeIfAbsent(tenant + "/" + id, (key) -> new AtomicLong(1))
				.accumulateAndGet(version, Math::max);
			this.committedOn.computeIfAbsent(tenant + "/" + id + "@" + instance, (key) -> new AtomicLong(1))
				.accumulateAndGet(version, Math::max);
			java.util.Deque<long[]> commits = this.history.computeIfAbsent(tenant + "/" + id,
					(key) -> new java.util.ArrayDeque<>());
			synchronized (commits) {
				commits.addLast(new long[] { version, now });
				while (commits.size() > 64) {
					commits.pollFirst();
				}
			}
		}

		ReentrantLock lock(String tenant, long id) {
			return this.locks.computeIfAbsent(tenant + "/" + id, (key) -> new ReentrantLock());
		}

	}

	/**
	 * The application under test: reads and writes of one tenant's rows.
	 */
	static class Shop {

		private static String tenant() {
			return ChaosIT.tenant.get();
		}

		@Cacheable(cacheNames = "rows", sync = true)
		@CacheTags({ "'row:' + #id", "'group:' + #result.group()" })
		public Row row(long id) {
			return database.get(tenant(), id);
		}

		@Cacheable(cacheNames = "plain", unless = "#result == null")
		@CacheTags({ "'row:' + #id", "'group:' + #result.group()" })
		public @Nullable Row plain(long id) {
			return database.get(tenant(), id);
		}

		@Caching(put = @CachePut(cacheNames = "rows", key = "#id"),
				evict = @CacheEvict(cacheNames = "plain", key = "#id"))
		@CacheTags({ "'row:' + #id", "'group:' + #result.group()" })
		public Row updateAndPut(long id) {
			return database.update(tenant(), id);
		}

		@EvictTags("'row:' + #id")
		public Row updateAndPurgeRow(long id) {
			return database.update(tenant(), id);
		}

		@EvictTags("'group:' + #result.group()")
		public Row updateAndPurgeGroup(long id) {
			return database.update(tenant(), id);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class ShopConfiguration {

		@Bean
		TenantResolver tenantResolver() {
			return tenant::get;
		}

		@Bean
		Shop shop() {
			return new Shop();
		}

	}

}
