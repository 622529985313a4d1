package io.github.cachetags.it;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalTime;
import java.util.concurrent.TimeUnit;

import io.github.cachetags.cache.Invalidations;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Sentinel failover during traffic (one Sentinel, one replica; {@link CatalogTraffic}: reads, purges and
 * {@code @CachePut}s): no call fails, no purge or put is lost (none is counted as done before a replica and the
 * current primary have it), and the cache is used again after the failover. Stale reads name when the write they
 * missed began and returned, next to when the client reconnected (in the log).
 */
class SentinelFailoverIT {

	static final String MASTER = "cachetags";

	static final int ROWS = 40;

	@Test
	void anOperatorFailoverDuringTrafficLosesNoPurgeAndFailsNoCall() throws Exception {
		duringTraffic("sentinel failover", (failover) -> {
			System.out.println("[sentinel] failover command at " + LocalTime.now());
			failover.sentinels().failover(MASTER);
			long failedOver = failover.awaitReplicaPromoted();
			failover.traffic().check();
			long hitsAtFailover = failover.products().getStatistics().hits();
			await().atMost(Duration.ofSeconds(60))
				.until(() -> failover.products().getStatistics().hits() > hitsAtFailover + 50);
			return String.format("cache hits again %d ms after it completed", millisSince(failedOver));
		});
	}

	@Test
	void aKilledPrimaryDuringTrafficFailsNoCallAndLeavesNoStaleRead() throws Exception {
		duringTraffic("sentinel crash", (crash) -> {
			long killed = System.nanoTime();
			System.out.println("[sentinel] kill -9 of the primary at " + LocalTime.now());
			crash.primary().kill();
			long failedOver = crash.awaitReplicaPromoted();
			crash.traffic().check();
			long hitsAtFailover = crash.products().getStatistics().hits();
			// with one replica, the new primary has none to acknowledge invalidations: they wait in the queue, and
			// the instance reads nothing from Redis; let the writer try a few before the old primary returns
			crash.traffic().awaitProgress(100, 6);
			long restarted = System.nanoTime();
			long hitsWithoutReplica = crash.products().getStatistics().hits() - hitsAtFailover;
			int pendingWithoutReplica = crash.invalidations().pending();
			crash.primary().start();
			System.out.println("[sentinel] old primary restarted (empty) at " + LocalTime.now());
			await("the old primary, a replica of the new one").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> crash.linkedToPrimary(crash.primary()));
			long resynced = System.nanoTime();
			await("first hit after the failover").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> crash.products().getStatistics().hits() > hitsAtFailover);
			long firstHit = System.nanoTime();
			await().atMost(Duration.ofSeconds(60))
				.until(() -> crash.products().getStatistics().hits() > hitsAtFailover + 50);
			return String.format("failover completed %d ms after the kill; without a replica for %d ms: %d hits,"
					+ " %d invalidations queued; old primary restarted then, a replica of the new primary %d ms later;"
					+ " first cache hit %d ms after that, %d ms after the failover completed",
					TimeUnit.NANOSECONDS.toMillis(failedOver - killed),
					TimeUnit.NANOSECONDS.toMillis(restarted - failedOver), hitsWithoutReplica,
					pendingWithoutReplica, TimeUnit.NANOSECONDS.toMillis(resynced - restarted),
					TimeUnit.NANOSECONDS.toMillis(firstHit - resynced),
					TimeUnit.NANOSECONDS.toMillis(firstHit - failedOver));
		});
	}

	/**
	 * Starts a primary, a replica and a Sentinel, an application on them and {@link CatalogTraffic} (two readers and
	 * the writer), runs the fault once the cache hits, stops the traffic, prints the figures and checks that no call
	 * failed and no read was stale once the traffic was told to check.
	 */
	private void duringTraffic(String name, Fault fault) throws Exception {
		try (RedisServer primary = RedisServer.startProcess();
				RedisServer replica = RedisServer.startProcess("--replicaof", primary.host(),
						Integer.toString(primary.port()));
				RedisServer sentinel = RedisServer.startSentinel(MASTER, primary)) {
			awaitLinkUp(replica);
			RedisClient sentinelClient = RedisClient.create(RedisURI.create(sentinel.host(), sentinel.port()));
			try (StatefulRedisSentinelConnection<String, String> sentinels = sentinelClient.connectSentinel()) {
				await().atMost(Duration.ofSeconds(30)).until(() -> !sentinels.sync().replicas(MASTER).isEmpty());
				CacheTagsContexts.onRedis(primary)
					.withUserConfiguration(CatalogConfiguration.class)
					.withPropertyValues("spring.data.redis.sentinel.master=" + MASTER,
							"spring.data.redis.sentinel.nodes=" + sentinel.host() + ":" + sentinel.port(),
							"spring.data.redis.timeout=500ms", "cachetags.redis-retry-interval=100ms",
							"cachetags.replication-wait=500ms")
					.run((context) -> {
						Catalog catalog = context.getBean(Catalog.class);
						TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
						TagAwareCache products = manager.getCache("products");
						Invalidations invalidations = manager.getInvalidations();
						CatalogTraffic traffic = new CatalogTraffic(ROWS, catalog).readers(catalog, 2, true)
							.writer(catalog, catalog::touch, invalidations::pending);
						await().atMost(Duration.ofSeconds(30)).until(() -> products.getStatistics().hits() >= 50);

						String figures = fault.run(new Failover(primary, replica, sentinels.sync(), products,
								invalidations, traffic));
						traffic.stop();

						System.out.printf("[%s] %d reads, %d purges, %d puts, %d failed calls, %d stale reads after"
								+ " the failover, %d Redis errors; %s%n", name, traffic.reads.sum(),
								traffic.purges.sum(), traffic.puts.sum(), traffic.failures.size(),
								traffic.stale.size(), products.getStatistics().errors(), figures);
						assertThat(traffic.failures).as("failed calls").isEmpty();
						assertThat(traffic.stale).as("stale reads once the failover completed: %s",
								traffic.staleSample()).isEmpty();
					});
			}
			finally {
				sentinelClient.shutdown();
			}
		}
	}

	private static void awaitLinkUp(RedisServer replica) {
		try (RedisCommandsForTests commands = new RedisCommandsForTests(replica)) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> commands.sync().info("replication").contains("master_link_status:up"));
		}
	}

	private static long millisSince(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
	}

	/**
	 * What a fault acts on and observes.
	 */
	record Failover(RedisServer primary, RedisServer replica, RedisSentinelCommands<String, String> sentinels,
			TagAwareCache products, Invalidations invalidations, CatalogTraffic traffic) {

		/**
		 * Waits until Sentinel names the replica as the primary.
		 * @return {@link System#nanoTime()} then
		 */
		long awaitReplicaPromoted() {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> ((InetSocketAddress) this.sentinels.getMasterAddrByName(MASTER))
					.getPort() == this.replica.port());
			System.out.println("[sentinel] sentinel reports the new master at " + LocalTime.now());
			return System.nanoTime();
		}

		/** Whether a server is a replica of the promoted one, with its link up. */
		boolean linkedToPrimary(RedisServer server) {
			try (RedisCommandsForTests commands = new RedisCommandsForTests(server)) {
				String info = commands.sync().info("replication");
				return info.contains("master_port:" + this.replica.port()) && info.contains("master_link_status:up");
			}
		}

	}

	/**
	 * A fault during traffic.
	 */
	@FunctionalInterface
	interface Fault {

		/**
		 * @return the figures it measured, for the summary line
		 */
		String run(Failover failover) throws Exception;

	}

}
