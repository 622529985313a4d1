package io.github.cachetags.it;

import java.time.Duration;
import java.util.Map;

import io.github.cachetags.actuate.health.CacheTagsHealthIndicator;
import io.github.cachetags.autoconfigure.CacheTagsHealthAutoConfiguration;
import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.cache.InvalidationPendingException;
import io.github.cachetags.cache.Invalidations;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCluster;
import io.github.cachetags.test.RedisCluster.Node;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A master of a real Redis Cluster stops and comes back: calls keep answering, health names the master, and the
 * caches are used again once it is back, without a restart.
 */
class ClusterNodeDownIT {

	static final int ITEMS = 12;

	@Test
	void aStoppedMasterIsReportedCallsRunUncachedAndTheCacheIsUsedAgainWhenItReturns() {
		RedisCluster cluster = RedisCluster.shared();
		CacheTagsContexts.onCluster(cluster)
			.withConfiguration(AutoConfigurations.of(CacheTagsHealthAutoConfiguration.class))
			.withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("spring.data.redis.timeout=1s", "cachetags.redis-retry-interval=200ms",
					"cachetags.shards=8")
			.run((context) -> {
				Catalog catalog = context.getBean(Catalog.class);
				for (long id = 1; id <= ITEMS; id++) {
					catalog.save(new Item(id, "books", 1));
					catalog.product(id);
				}
				Node down = cluster.nodes().get(0);
				down.stop();
				try {
					for (long id = 1; id <= ITEMS; id++) {
						assertThat(catalog.product(id).id()).as("answered with or without the cache").isEqualTo(id);
					}
					Health health = context.getBean(CacheTagsHealthIndicator.class).health(true);

					assertThat(health.getStatus()).isEqualTo(Status.UP);
					assertThat((String) health.getDetails().get("redis"))
						.isEqualTo("partly reachable: master " + down.address()
								+ " does not answer; calls on its slots run uncached");
					Map<String, Object> nodes = map(health.getDetails().get("nodes"));
					assertThat(map(nodes.get(down.address()))).containsEntry("redis", "unreachable")
						.containsKey("error");
					assertThat(nodes.values()).filteredOn((node) -> "reachable".equals(map(node).get("redis")))
						.hasSize(2);
				}
				finally {
					down.start();
					cluster.awaitHealthy();
				}
				await("every item served from the cache again").atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> {
						int loads = catalog.loads();
						for (long id = 1; id <= ITEMS; id++) {
							catalog.product(id);
						}
						return catalog.loads() == loads;
					});
				assertThat(context.getBean(CacheTagsHealthIndicator.class).health(true).getDetails())
					.containsEntry("redis", "reachable");
			});
	}

	@Test
	void aPurgeWhileAMasterIsDownPurgesEveryReachableShardAndRetriesTheRest() {
		RedisCluster cluster = RedisCluster.shared();
		Node down = cluster.nodes().get(0);
		String prefix = prefixWithShardsOnAndOff(cluster, down);
		CacheTagsContexts.onCluster(cluster)
			.withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("spring.data.redis.timeout=1s", "cachetags.redis-retry-interval=200ms",
					"cachetags.caches.products.shards=8", "cachetags.key-prefix=" + prefix)
			.run((context) -> {
				Catalog catalog = context.getBean(Catalog.class);
				Invalidations invalidations = context.getBean(TagAwareCacheManager.class).getInvalidations();
				for (long id = 1; id <= ITEMS; id++) {
					catalog.save(new Item(id, "books", 1));
					catalog.product(id);
				}
				down.stop();
				try {
					assertThatExceptionOfType(InvalidationPendingException.class)
						.isThrownBy(() -> context.getBean(CacheTagOperations.class).purge("category:books"));

					assertThat(invalidations.pending()).as("the unreachable shards, queued").isEqualTo(1);
					for (int shard = 0; shard < 8; shard++) {
						String mark = "{" + prefix + ":_:products:" + shard + "}:v1:m:category:books";
						Node node = cluster.nodeServing(mark);
						if (node != down) {
							assertThat(node.commands().get(mark)).as("mark of reachable shard %d, switched", shard)
								.isNotNull();
						}
					}
				}
				finally {
					down.start();
					cluster.awaitHealthy();
				}
				await("the queued shards purged").atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> invalidations.retry() && invalidations.pending() == 0);
				int loads = catalog.loads();
				for (long id = 1; id <= ITEMS; id++) {
					catalog.product(id);
				}
				assertThat(catalog.loads()).as("every entry purged, on every master").isEqualTo(loads + ITEMS);
			});
	}

	/**
	 * A key prefix under which the 8 shards of {@code products} hold slots both on {@code node} and elsewhere.
	 */
	private static String prefixWithShardsOnAndOff(RedisCluster cluster, Node node) {
		for (int attempt = 0; attempt < 1000; attempt++) {
			String prefix = CacheTagsContexts.uniquePrefix();
			int on = 0;
			for (int shard = 0; shard < 8; shard++) {
				on += (cluster.nodeServing("{" + prefix + ":_:products:" + shard + "}") == node) ? 1 : 0;
			}
			if (on > 0 && on < 8) {
				return prefix;
			}
		}
		throw new IllegalStateException("No prefix spreads the shards over the masters");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

}
