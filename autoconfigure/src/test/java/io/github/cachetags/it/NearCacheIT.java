package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.cache.NearStatistics;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.Instances;
import io.github.cachetags.test.NearCaches;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Near caches in front of Redis, across instances sharing one Redis: hits without a round trip, the purging
 * instance never serving a purged value after the purge returns, other instances stopping within the max staleness
 * also when invalidation messages are lost or the subscription is cut.
 */
class NearCacheIT {

	static final Duration MAX_STALENESS = Duration.ofMillis(600);

	/** How long a test waits for a condition at most; far above what it should take. */
	static final Duration PATIENCE = Duration.ofSeconds(20);

	static final Shelf.Database database = new Shelf.Database();

	static RedisServer server;

	@BeforeAll
	static void startServer() {
		server = RedisServer.startProcess();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	private static ApplicationContextRunner instance(String prefix, String... redis) {
		return CacheTagsContexts.onRedis(server)
			.withUserConfiguration(ShelfConfiguration.class)
			.withPropertyValues(redis)
			.withPropertyValues("cachetags.key-prefix=" + prefix, "cachetags.caches.items.local.enabled=true",
					"cachetags.caches.items.local.max-staleness=" + MAX_STALENESS.toMillis() + "ms",
					"cachetags.caches.items.ttl=60s", "cachetags.eviction-policy-check=ignore");
	}

	@Test
	void aRepeatedReadIsAnsweredWithoutARoundTrip() {
		String prefix = CacheTagsContexts.uniquePrefix();
		// a long bound: a check thread a loaded machine holds back must not make trust lapse during the 100 reads
		instance(prefix).withPropertyValues("cachetags.caches.items.local.max-staleness=10s").run((context) -> {
			Shelf shelf = context.getBean(Shelf.class);
			awaitTrusted(context);
			database.set(1, 7);
			assertThat(shelf.item(1)).isEqualTo(7);
			assertThat(shelf.item(1)).isEqualTo(7);
			long scripts = scriptCalls();
			for (int i = 0; i < 100; i++) {
				assertThat(shelf.item(1)).isEqualTo(7);
			}
			assertThat(scriptCalls() - scripts).as("script calls for 100 near hits").isZero();
			assertThat(near(context).hits()).isGreaterThanOrEqualTo(100);
		});
	}

	@Test
	void theInstanceThatInvalidatesNeverServesTheOldValueAfterTheCallReturns() {
		String prefix = CacheTagsContexts.uniquePrefix();
		instance(prefix).run((context) -> {
			Shelf shelf = context.getBean(Shelf.class);
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);
			TagAwareCache cache = (TagAwareCache) context.getBean(TagAwareCacheManager.class).getCache("items");
			awaitTrusted(context);
			Map<String, Consumer<Long>> invalidations = Map.of("purge of a tag",
					(id) -> operations.purge("item:" + id), "purge in one cache",
					(id) -> operations.purge("items", "shelf"), "@CacheEvict", shelf::evict, "clear",
					(id) -> shelf.clear(), "@CachePut", shelf::put, "Cache.put",
					(id) -> cache.put(id, database.get(id)));
			List<String> stale = new ArrayList<>();
			AtomicLong ids = new AtomicLong();
			for (int round = 0; round < 50; round++) {
				for (Map.Entry<String, Consumer<Long>> invalidation : invalidations.entrySet()) {
					long id = ids.incrementAndGet();
					database.set(id, 1);
					awaitNearHit(context, () -> shelf.item(id));
					database.set(id, 2);
					invalidation.getValue().accept(id);
					long seen = shelf.item(id);
					if (seen != 2) {
						stale.add(invalidation.getKey() + " of item " + id + ": read version " + seen);
					}
				}
			}
			assertThat(stale).isEmpty();
		});
	}

	@Test
	void aPurgeOnOneInstanceStopsTheOthersServingThePurgedValue() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(instance(prefix), 3, (instances) -> {
			List<Shelf> shelves = instances.stream().map((context) -> context.getBean(Shelf.class)).toList();
			instances.forEach(NearCacheIT::awaitTrusted);
			List<Long> micros = new ArrayList<>();
			int rounds = 150;
			for (int round = 0; round < rounds; round++) {
				long id = 1000 + round;
				database.set(id, 1);
				for (int i = 0; i < shelves.size(); i++) {
					Shelf shelf = shelves.get(i);
					awaitNearHit(instances.get(i), () -> assertThat(shelf.item(id)).isEqualTo(1));
				}
				int purger = round % shelves.size();
				database.set(id, 2);
				instances.get(purger).getBean(CacheTagOperations.class).purge("item:" + id);
				long returned = System.nanoTime();
				assertThat(shelves.get(purger).item(id)).as("read on the purging instance").isEqualTo(2);
				for (int other = 0; other < shelves.size(); other++) {
					if (other != purger) {
						micros.add(TimeUnit.NANOSECONDS.toMicros(awaitVersion(shelves.get(other), id, 2) - returned));
					}
				}
			}
			Collections.sort(micros);
			long received = instances.stream().mapToLong((context) -> near(context).invalidations()).sum();
			System.out.printf("[near cache] purge on one of 3 instances, %d purges: the others stopped serving the purged"
					+ " value after p50 %d us, p99 %d us, max %d us (invalidations applied: %d)%n", rounds,
					micros.get(micros.size() / 2), micros.get(micros.size() * 99 / 100), micros.get(micros.size() - 1),
					received);
			assertThat(micros.get(micros.size() - 1)).as("slowest propagation, in microseconds")
				.isLessThan(2 * MAX_STALENESS.toNanos() / 1000);
			assertThat(received).as("messages applied, not only checks").isGreaterThanOrEqualTo(2L * rounds);
		});
	}

	@Test
	void lostMessagesAreNoticedWithinTheMaxStaleness() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(List.of(instance(prefix),
				instance(prefix).withUserConfiguration(DroppingStoreConfiguration.class)), (instances) -> {
					Shelf purging = instances.get(0).getBean(Shelf.class);
					Shelf losing = instances.get(1).getBean(Shelf.class);
					DroppingStore store = instances.get(1).getBean(DroppingStore.class);
					instances.forEach(NearCacheIT::awaitTrusted);
					List<Long> millis = new ArrayList<>();
					for (int round = 0; round < 8; round++) {
						long id = 2000 + round;
						database.set(id, 1);
						purging.item(id);
						awaitNearHit(instances.get(1), () -> assertThat(losing.item(id)).isEqualTo(1));
						database.set(id, 2);
						store.dropNext(1);
						instances.get(0).getBean(CacheTagOperations.class).purge("item:" + id);
						long returned = System.nanoTime();
						millis.add(TimeUnit.NANOSECONDS.toMillis(awaitVersion(losing, id, 2) - returned));
						assertThat(store.dropped()).isEqualTo(round + 1);
					}
					System.out.printf("[near cache] a lost invalidation message (8 runs, max staleness %d ms): the instance"
							+ " that lost it stopped serving the purged value after %s ms (gaps noticed: %d)%n",
							MAX_STALENESS.toMillis(), millis, near(instances.get(1)).gaps());
					assertThat(Collections.max(millis)).isLessThan(2 * MAX_STALENESS.toMillis());
					assertThat(near(instances.get(1)).gaps()).isPositive();
				});
	}

	@Test
	void aKilledSubscriptionIsNoticedWithinTheMaxStaleness() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(instance(prefix), 2, (instances) -> {
			Shelf purging = instances.get(0).getBean(Shelf.class);
			Shelf other = instances.get(1).getBean(Shelf.class);
			instances.forEach(NearCacheIT::awaitTrusted);
			List<Long> millis = new ArrayList<>();
			for (int round = 0; round < 5; round++) {
				long id = 3000 + round;
				database.set(id, 1);
				purging.item(id);
				awaitNearHit(instances.get(1), () -> assertThat(other.item(id)).isEqualTo(1));
				database.set(id, 2);
				try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
					redis.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
				}
				instances.get(0).getBean(CacheTagOperations.class).purge("item:" + id);
				long returned = System.nanoTime();
				millis.add(TimeUnit.NANOSECONDS.toMillis(awaitVersion(other, id, 2) - returned));
				instances.forEach(NearCacheIT::awaitTrusted);
			}
			System.out.printf("[near cache] subscriptions killed (CLIENT KILL TYPE pubsub) right before a purge, 5 runs:"
					+ " the other instance stopped serving the purged value after %s ms%n", millis);
			assertThat(Collections.max(millis)).isLessThan(2 * MAX_STALENESS.toMillis());
		});
	}

	@Test
	void aPartitionedInstanceStopsServingItsNearValuesWithinTheMaxStaleness() {
		String prefix = CacheTagsContexts.uniquePrefix();
		try (TcpProxy proxy = new TcpProxy(server)) {
			Instances.run(List.of(instance(prefix), instance(prefix, proxy.springProperties())
				.withPropertyValues("spring.data.redis.timeout=200ms")), (instances) -> {
					Shelf purging = instances.get(0).getBean(Shelf.class);
					Shelf cut = instances.get(1).getBean(Shelf.class);
					instances.forEach(NearCacheIT::awaitTrusted);
					long id = 4000;
					database.set(id, 1);
					awaitNearHit(instances.get(1), () -> assertThat(cut.item(id)).isEqualTo(1));
					proxy.cut();
					database.set(id, 2);
					instances.get(0).getBean(CacheTagOperations.class).purge("item:" + id);
					long returned = System.nanoTime();
					long millis = TimeUnit.NANOSECONDS.toMillis(awaitVersion(cut, id, 2) - returned);
					System.out.printf("[near cache] an instance cut off from Redis stopped serving its near value %d ms"
							+ " after another instance purged it%n", millis);
					assertThat(millis).isLessThan(2 * MAX_STALENESS.toMillis());
					proxy.restore();
					awaitTrusted(instances.get(1));
					assertThat(cut.item(id)).isEqualTo(2);
				});
		}
	}

	@Test
	void aShardWhoseNearEntriesAllExpiredIsNoLongerFollowedAndIsFollowedAgainOnTheNextRead() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(List.of(instance(prefix), instance(prefix).withPropertyValues("cachetags.caches.items.ttl=2s")),
				(instances) -> {
					instances.forEach(NearCacheIT::awaitTrusted);
					Shelf purging = instances.get(0).getBean(Shelf.class);
					Shelf shortLived = instances.get(1).getBean(Shelf.class);
					var coherence = instances.get(1).getBean(TagAwareCacheManager.class).getNearCoherence();
					database.set(5000, 1);
					awaitNearHit(instances.get(1), () -> assertThat(shortLived.item(5000)).isEqualTo(1));
					assertThat(coherence.followedShards()).isEqualTo(1);
					long deadline = System.nanoTime() + PATIENCE.toNanos();
					while (coherence.followedShards() > 0) {
						assertThat(System.nanoTime() - deadline).as("the idle shard is let go").isNegative();
						Thread.onSpinWait();
					}
					awaitNearHit(instances.get(1), () -> assertThat(shortLived.item(5000)).isEqualTo(1));
					database.set(5000, 2);
					instances.get(0).getBean(CacheTagOperations.class).purge("item:5000");
					long returned = System.nanoTime();
					long millis = TimeUnit.NANOSECONDS.toMillis(awaitVersion(shortLived, 5000, 2) - returned);
					assertThat(millis).as("purge reached the shard followed again").isLessThan(MAX_STALENESS.toMillis());
					assertThat(purging.item(5000)).isEqualTo(2);
				});
	}

	@Test
	void aRefreshAheadOfExpiryReachesTheOtherInstancesNearCaches() {
		String prefix = CacheTagsContexts.uniquePrefix();
		ApplicationContextRunner refreshing = instance(prefix).withPropertyValues("cachetags.caches.items.ttl=4s",
				"cachetags.caches.items.freshness.refresh-ahead=true",
				"cachetags.caches.items.freshness.refresh-threshold=0.5", "cachetags.refresh.interval=200ms");
		Instances.run(refreshing, 2, (instances) -> {
			instances.forEach(NearCacheIT::awaitTrusted);
			Shelf refresher = instances.get(0).getBean(Shelf.class);
			Shelf other = instances.get(1).getBean(Shelf.class);
			long id = 6000;
			database.set(id, 1);
			awaitNearHit(instances.get(0), () -> assertThat(refresher.item(id)).isEqualTo(1));
			awaitNearHit(instances.get(1), () -> assertThat(other.item(id)).isEqualTo(1));
			// the row changes without an invalidation: only the refresh ahead of expiry brings it in
			database.set(id, 2);
			long deadline = System.nanoTime() + PATIENCE.toNanos();
			while (refresher.item(id) != 2) {
				assertThat(System.nanoTime() - deadline).as("refreshed ahead of expiry").isNegative();
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
			}
			long refreshed = System.nanoTime();
			long millis = TimeUnit.NANOSECONDS.toMillis(awaitVersion(other, id, 2) - refreshed);
			System.out.printf("[near cache] a refresh ahead of expiry on one instance reached the other's near cache"
					+ " after %d ms%n", millis);
			assertThat(millis).as("the refreshed value reached the other instance (its near entry had 1-2 s left)")
				.isLessThan(MAX_STALENESS.toMillis());
			assertThat(instances.get(0).getBean(TagAwareCacheManager.class).getCaches().get("items").getStatistics()
				.refreshes()).isPositive();
		});
	}

	private static long awaitVersion(Shelf shelf, long id, long version) {
		long deadline = System.nanoTime() + PATIENCE.toNanos();
		while (shelf.item(id) != version) {
			assertThat(System.nanoTime() - deadline).as("still serving an old version of item " + id).isNegative();
			Thread.onSpinWait();
		}
		return System.nanoTime();
	}

	/**
	 * Reads until a read is answered by the near cache (a read may be kept from it by an invalidation message still
	 * arriving from an earlier step).
	 */
	static void awaitNearHit(AssertableApplicationContext context, Runnable read) {
		NearCaches.awaitNearHit(context, "items", read);
	}

	static void awaitTrusted(AssertableApplicationContext context) {
		NearCaches.awaitTrusted(context);
	}

	static NearStatistics near(AssertableApplicationContext context) {
		return context.getBean(TagAwareCacheManager.class).getCaches().get("items").getNearStatistics();
	}

	private static long scriptCalls() {
		try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
			String stats = redis.sync().info("commandstats");
			long calls = 0;
			for (String line : stats.split("\r?\n")) {
				if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
					String field = line.substring(line.indexOf("calls=") + 6);
					calls += Long.parseLong(field.substring(0, field.indexOf(',')));
				}
			}
			return calls;
		}
	}

	/**
	 * Items with versions in a database every instance shares.
	 */
	static class Shelf {

		@Cacheable(cacheNames = "items", sync = true)
		@CacheTags({ "'item:' + #id", "'shelf'" })
		public long item(long id) {
			return database.get(id);
		}

		@CachePut(cacheNames = "items", key = "#id")
		@CacheTags({ "'item:' + #id", "'shelf'" })
		public long put(long id) {
			return database.get(id);
		}

		@CacheEvict(cacheNames = "items")
		public void evict(long id) {
		}

		@CacheEvict(cacheNames = "items", allEntries = true)
		public void clear() {
		}

		static final class Database {

			private final Map<Long, AtomicLong> versions = new ConcurrentHashMap<>();

			long get(long id) {
				return this.versions.computeIfAbsent(id, (key) -> new AtomicLong(1)).get();
			}

			void set(long id, long version) {
				this.versions.computeIfAbsent(id, (key) -> new AtomicLong()).set(version);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class ShelfConfiguration {

		@Bean
		Shelf shelf() {
			return new Shelf();
		}

	}

	/**
	 * An instance that misses chosen invalidation messages while its subscription stays up.
	 */
	@Configuration(proxyBeanMethods = false)
	static class DroppingStoreConfiguration {

		@Bean
		DroppingStore droppingStore(RedisConnectionFactory connectionFactory, CacheTagsProperties properties) {
			return new DroppingStore(connectionFactory, properties);
		}

	}

	static class DroppingStore extends RedisTagStore {

		private final AtomicInteger toDrop = new AtomicInteger();

		private final AtomicInteger dropped = new AtomicInteger();

		DroppingStore(RedisConnectionFactory connectionFactory, CacheTagsProperties properties) {
			super(connectionFactory, properties.getKeyPrefix(), properties.getMaxLoadTime(),
					properties.getPurgeBatchSize());
		}

		void dropNext(int messages) {
			this.toDrop.set(messages);
		}

		int dropped() {
			return this.dropped.get();
		}

		@Override
		public RedisConnection subscribe(Consumer<byte[]> listener) {
			return super.subscribe((message) -> {
				boolean probe = message.length > 0 && message[0] == 'h';
				if (!probe && this.toDrop.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
					this.dropped.incrementAndGet();
					return;
				}
				listener.accept(message);
			});
		}

	}

}
