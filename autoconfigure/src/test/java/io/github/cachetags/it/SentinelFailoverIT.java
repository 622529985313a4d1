package io.github.cachetags.it;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator's {@code SENTINEL FAILOVER} during traffic: no call fails, no purge is lost (none is counted as
 * done before a replica and the current primary have it), and the cache is used again after the failover. Stale
 * reads name when the write they missed began and returned, next to when the client reconnected (in the log).
 */
class SentinelFailoverIT {

	static final String MASTER = "cachetags";

	static final int ROWS = 40;

	static final Map<String, String> WRITES = new ConcurrentHashMap<>();

	@Test
	void anOperatorFailoverDuringTrafficLosesNoPurgeAndFailsNoCall() throws Exception {
		try (RedisServer primary = RedisServer.startProcess();
				RedisServer replica = RedisServer.startProcess("--replicaof", primary.host(),
						Integer.toString(primary.port()));
				RedisServer sentinel = RedisServer.startSentinel(MASTER, primary)) {
			awaitReplication(replica);
			RedisClient sentinelClient = RedisClient.create(RedisURI.create(sentinel.host(), sentinel.port()));
			try (StatefulRedisSentinelConnection<String, String> sentinels = sentinelClient.connectSentinel()) {
				await().atMost(Duration.ofSeconds(30))
					.until(() -> !sentinels.sync().replicas(MASTER).isEmpty());
				CacheTagsContexts.onRedis(primary)
					.withUserConfiguration(CatalogConfiguration.class)
					.withPropertyValues("spring.data.redis.sentinel.master=" + MASTER,
							"spring.data.redis.sentinel.nodes=" + sentinel.host() + ":" + sentinel.port(),
							"spring.data.redis.timeout=500ms", "cachetags.redis-retry-interval=100ms",
							"cachetags.replication-wait=500ms")
					.run((context) -> {
						Catalog catalog = context.getBean(Catalog.class);
						TagAwareCache products = context.getBean(TagAwareCacheManager.class).getCache("products");
						Traffic traffic = new Traffic(catalog);
						traffic.start();
						traffic.awaitHits(products, 50);

						System.out.println("[sentinel] failover command at " + LocalTime.now());
						sentinels.sync().failover(MASTER);
						await().atMost(Duration.ofSeconds(60))
							.until(() -> ((InetSocketAddress) sentinels.sync().getMasterAddrByName(MASTER))
								.getPort() == replica.port());
						long failedOver = System.nanoTime();
						System.out.println("[sentinel] sentinel reports the new master at " + LocalTime.now());
						traffic.afterFailover();
						long hitsAtFailover = products.getStatistics().hits();
						await().atMost(Duration.ofSeconds(60))
							.until(() -> products.getStatistics().hits() > hitsAtFailover + 50);
						long hitsBackAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedOver);
						traffic.stop();

						System.out.printf("[sentinel failover] %d reads, %d writes, %d failed calls, %d stale reads"
								+ " after the failover, cache hits again %d ms after it completed, %d Redis errors%n",
								traffic.reads.sum(), traffic.writes.sum(), traffic.failures.size(),
								traffic.stale.size(), hitsBackAfterMillis, products.getStatistics().errors());
						traffic.stale.stream().limit(5).forEach((line) -> System.out.println("[sentinel] " + line));
						assertThat(traffic.failures).as("failed calls").isEmpty();
						assertThat(traffic.stale).as("stale reads once the failover completed").isEmpty();
					});
			}
			finally {
				sentinelClient.shutdown();
			}
		}
	}

	private static void awaitReplication(RedisServer replica) {
		try (RedisCommandsForTests commands = new RedisCommandsForTests(replica)) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> commands.sync().info("replication").contains("master_link_status:up"));
		}
	}

	/**
	 * Two readers and a writer on the catalogue: the writer bumps a row and purges its tag; a reader that reads an
	 * older version than the last purge that returned before its read began, after the failover, is stale.
	 */
	static final class Traffic {

		final Catalog catalog;

		final Map<Long, AtomicLong> committed = new ConcurrentHashMap<>();

		final LongAdder reads = new LongAdder();

		final LongAdder writes = new LongAdder();

		final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

		final ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();

		final AtomicBoolean running = new AtomicBoolean(true);

		volatile boolean failedOver;

		final ExecutorService threads = Executors.newFixedThreadPool(3);

		List<Future<?>> workers = List.of();

		Traffic(Catalog catalog) {
			this.catalog = catalog;
			for (long id = 0; id < ROWS; id++) {
				catalog.save(new Item(id, "books", 1));
				this.committed.put(id, new AtomicLong(1));
			}
		}

		void start() {
			this.workers = List.of(this.threads.submit(this::read), this.threads.submit(this::read),
					this.threads.submit(this::write));
		}

		void afterFailover() {
			this.failedOver = true;
		}

		void awaitHits(TagAwareCache cache, long hits) {
			await().atMost(Duration.ofSeconds(30)).until(() -> cache.getStatistics().hits() >= hits);
		}

		void stop() throws Exception {
			this.running.set(false);
			for (Future<?> worker : this.workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
			this.threads.shutdown();
		}

		private Void read() {
			while (this.running.get()) {
				long id = ThreadLocalRandom.current().nextLong(ROWS);
				boolean checked = this.failedOver;
				long before = this.committed.get(id).get();
				int loadsBefore = this.catalog.loads();
				try {
					Item item = this.catalog.product(id);
					this.reads.increment();
					if (checked && item.version() < before) {
						this.stale.add("row " + id + ": read v" + item.version() + " after v" + before + " (written "
								+ WRITES.get(id + "@" + before) + ") at "
								+ LocalTime.now() + ", loads during the read: "
								+ (this.catalog.loads() - loadsBefore));
					}
				}
				catch (RuntimeException ex) {
					this.failures.add("read: " + ex);
				}
			}
			return null;
		}

		private Void write() {
			while (this.running.get()) {
				long id = ThreadLocalRandom.current().nextLong(ROWS);
				int version = (int) this.committed.get(id).get() + 1;
				try {
					String began = LocalTime.now().toString();
					this.catalog.save(new Item(id, "books", version));
					this.catalog.touch(id);
					this.committed.get(id).set(version);
					WRITES.put(id + "@" + version, began + " .. " + LocalTime.now());
					this.writes.increment();
				}
				catch (RuntimeException ex) {
					this.failures.add("write: " + ex);
				}
				LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
			}
			return null;
		}

	}

}
