package io.github.cachetags.it;

import java.time.Duration;

import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.cache.Invalidations;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With a replica, an invalidation counts as done only once a replica has it, so a failover cannot lose it
 * silently: one no replica acknowledged is queued and retried.
 */
class ReplicationIT {

	private static RedisServer primary;

	private static RedisServer replica;

	@BeforeAll
	static void startPrimaryAndReplica() {
		primary = RedisServer.startProcess();
		replica = RedisServer.startProcess("--replicaof", primary.host(), Integer.toString(primary.port()));
	}

	@BeforeEach
	void awaitReplicaInSync() {
		try (RedisCommandsForTests commands = new RedisCommandsForTests(replica)) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> commands.sync().info("replication").contains("master_link_status:up"));
		}
	}

	@AfterAll
	static void stop() {
		replica.close();
		primary.close();
	}

	private ApplicationContextRunner contexts(String wait) {
		return CacheTagsContexts.onRedis(primary)
			.withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("cachetags.replication-wait=" + wait, "cachetags.redis-retry-interval=100ms");
	}

	@Test
	void aPurgeNoReplicaAcknowledgedIsQueuedUntilOneDoes() {
		// the replica leaves for a while (as in a failover); a purge meanwhile is not counted as done
		contexts("200ms").run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Invalidations invalidations = context.getBean(TagAwareCacheManager.class).getInvalidations();
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);
			try (RedisCommandsForTests onReplica = new RedisCommandsForTests(replica);
					RedisCommandsForTests onPrimary = new RedisCommandsForTests(primary)) {
				onReplica.sync().replicaofNoOne();
				await().atMost(Duration.ofSeconds(30))
					.until(() -> onPrimary.sync().info("replication").contains("connected_slaves:0"));

				catalog.touch(1);

				assertThat(invalidations.pending()).as("applied on the primary, not yet known on a replica")
					.isEqualTo(1);
				onReplica.sync().replicaof(primary.host(), primary.port());
				await().atMost(Duration.ofSeconds(30)).until(() -> invalidations.pending() == 0);
				String mark = mark(context, "product:1");
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(onReplica.sync().get(mark)).isEqualTo(onPrimary.sync().get(mark)));
			}
		});
	}

	@Test
	void withAHealthyReplicaAnInvalidationReturnsOnceItIsReplicated() {
		contexts("1s").run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Invalidations invalidations = context.getBean(TagAwareCacheManager.class).getInvalidations();
			catalog.save(new Item(1, "books", 1));
			int rounds = 200;
			long waiting = timePurges(catalog, rounds);
			assertThat(invalidations.pending()).isZero();
			contexts("0s").run((other) -> {
				long notWaiting = timePurges(other.getBean(Catalog.class), rounds);
				System.out.printf("[replication] %d purges with a local replica: %d us each waiting for it,"
						+ " %d us each without%n", rounds, waiting / rounds / 1000, notWaiting / rounds / 1000);
			});
			try (RedisCommandsForTests onReplica = new RedisCommandsForTests(replica);
					RedisCommandsForTests onPrimary = new RedisCommandsForTests(primary)) {
				String mark = mark(context, "product:1");
				assertThat(onReplica.sync().get(mark)).isEqualTo(onPrimary.sync().get(mark));
			}
		});
	}

	private static long timePurges(Catalog catalog, int rounds) {
		long started = System.nanoTime();
		for (int i = 0; i < rounds; i++) {
			catalog.touch(1);
		}
		return System.nanoTime() - started;
	}

	private static String mark(ApplicationContext context, String tag) {
		String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
		return "{" + prefix + ":_:products:0}:v1:m:" + tag;
	}

}
