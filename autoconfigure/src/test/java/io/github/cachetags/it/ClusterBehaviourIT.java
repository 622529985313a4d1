package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.it.WriteOrderIT.Ledger;
import io.github.cachetags.it.WriteOrderIT.LedgerConfiguration;
import io.github.cachetags.it.WriteOrderIT.Row;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCluster;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour of the standalone suite, smoke-tested on a real three-master Redis Cluster: caches spread over 8
 * shards, so a purge, a count and a clear touch shards on every master; a purge that must find shards by
 * {@code SCAN} because the registry was lost; the stale-set race; a {@code @CachePut} racing a load; coalescing
 * across instances.
 */
class ClusterBehaviourIT {

	static final int SHARDS = 8;

	private final String prefix = spreadPrefix("products", "listings", "rows");

	private final ApplicationContextRunner contexts = CacheTagsContexts.onCluster(RedisCluster.shared())
		.withPropertyValues("cachetags.key-prefix=" + this.prefix, "spring.data.redis.timeout=5s",
				"cachetags.shards=" + SHARDS, "cachetags.caches.rows.cache-null-values=false");

	@Test
	void aPurgeRemovesTheTaggedEntriesOfEveryShardAndLeavesTheOthers() {
		this.contexts.withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			for (long id = 1; id <= 40; id++) {
				catalog.save(new Item(id, (id % 2 == 0) ? "books" : "toys", 1));
				catalog.product(id);
			}
			catalog.listing("books");
			catalog.listing("toys");
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);
			assertThat(operations.count("category:books")).containsEntry("products", 20L)
				.containsEntry("listings", 1L);
			int loads = catalog.loads();

			assertThat(operations.purge("category:books")).as("20 products and 1 listing").isEqualTo(21);

			for (long id = 1; id <= 40; id++) {
				catalog.product(id);
			}
			catalog.listing("toys");
			assertThat(catalog.loads()).as("only the books were loaded again").isEqualTo(loads + 20);
		});
	}

	@Test
	void anEvictTagsPurgeAndAClearReachEveryShard() {
		this.contexts.withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			for (long id = 1; id <= 24; id++) {
				catalog.save(new Item(id, "books", 1));
				catalog.product(id);
			}
			int loads = catalog.loads();
			catalog.touch(7);
			catalog.product(7);
			catalog.product(8);
			assertThat(catalog.loads()).as("product 7 alone was purged").isEqualTo(loads + 1);

			catalog.clearProducts();
			for (long id = 1; id <= 24; id++) {
				catalog.product(id);
			}
			assertThat(catalog.loads()).as("every product was cleared").isEqualTo(loads + 25);
		});
	}

	@Test
	void aPurgeReachesACacheOnlyAnotherInstanceCreatedEvenWhenTheRegistryWasLost() {
		ApplicationContextRunner instances = this.contexts.withUserConfiguration(CatalogConfiguration.class);
		instances.run((first) -> instances.run((second) -> {
			Catalog mine = first.getBean(Catalog.class);
			Catalog theirs = second.getBean(Catalog.class);
			mine.save(new Item(1, "books", 1));
			theirs.save(new Item(1, "books", 1));
			mine.product(1);
			assertThat(theirs.listing("books")).containsExactly(1L);
			String registry = this.prefix + ":layouts";
			assertThat(RedisCluster.shared().nodeServing(registry).commands().del(registry)).as("the registry, lost")
				.isEqualTo(1);

			first.getBean(CacheTagOperations.class).purge("category:books");

			theirs.save(new Item(2, "books", 1));
			assertThat(theirs.listing("books")).as("purged in the other instance's cache too").containsExactly(1L, 2L);
		}));
	}

	@Test
	void nearCachesFollowAPurgeOfEveryShardWithOneMessagePerShard() {
		ApplicationContextRunner instances = this.contexts.withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("cachetags.caches.products.local.enabled=true");
		instances.run((first) -> instances.run((second) -> {
			NearCacheIT.awaitTrusted(first);
			NearCacheIT.awaitTrusted(second);
			Catalog one = first.getBean(Catalog.class);
			Catalog two = second.getBean(Catalog.class);
			var near = second.getBean(TagAwareCacheManager.class).getCaches().get("products").getNearStatistics();
			int keys = 2 * SHARDS;
			for (long id = 1; id <= keys; id++) {
				one.save(new Item(id, "mugs", 1));
				two.save(new Item(id, "mugs", 1));
				long hits = near.hits();
				long deadline = System.nanoTime() + NearCacheIT.PATIENCE.toNanos();
				while (near.hits() == hits) {
					assertThat(two.product(id).version()).isEqualTo(1);
					assertThat(System.nanoTime() - deadline).as("a near hit").isNegative();
				}
				two.save(new Item(id, "mugs", 2));
			}
			long messages = near.invalidations();

			first.getBean(CacheTagOperations.class).purge("category:mugs");

			for (long id = 1; id <= keys; id++) {
				long deadline = System.nanoTime() + NearCacheIT.MAX_STALENESS.toNanos() * 2;
				while (two.product(id).version() != 2) {
					assertThat(System.nanoTime() - deadline).as("item " + id + " still read near").isNegative();
				}
			}
			assertThat(near.invalidations() - messages).as("messages for " + keys + " entries over " + SHARDS
					+ " shards").isBetween(1L, (long) SHARDS);
		}));
	}

	@Test
	void aLoadThatReadTheDatabaseBeforeAPurgeIsNotStored() throws Exception {
		this.contexts.withUserConfiguration(LedgerConfiguration.class).run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> slowLoad = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.save(new Row(1, "a", 2));
			context.getBean(CacheTagOperations.class).purge("row:1");
			ledger.gate().resume();

			assertThat(slowLoad.get(10, TimeUnit.SECONDS).version()).as("the slow load read the old row").isEqualTo(1);
			assertThat(ledger.row(1).version()).as("but did not store it").isEqualTo(2);
			assertThat(ledger.row(1).version()).isEqualTo(2);
			assertThat(ledger.loads()).as("the first load, the refused one's successor, then a hit").isEqualTo(2);
		});
	}

	@Test
	void aLoadThatBeganBeforeACachePutNeverOverwritesIt() throws Exception {
		this.contexts.withUserConfiguration(LedgerConfiguration.class).run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> slowLoad = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.update(new Row(1, "a", 2));
			ledger.gate().resume();

			assertThat(slowLoad.get(10, TimeUnit.SECONDS).version()).isEqualTo(1);
			assertThat(ledger.row(1).version()).as("the put's value, not the older load's").isEqualTo(2);
		});
	}

	@Test
	void aCachePutIsStoredWhicheverMasterHoldsItsShard() {
		this.contexts.withUserConfiguration(LedgerConfiguration.class).run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			for (long id = 1; id <= 16; id++) {
				ledger.update(new Row(id, "a", 2));
			}
			for (long id = 1; id <= 16; id++) {
				assertThat(ledger.row(id).version()).isEqualTo(2);
			}
			assertThat(ledger.loads()).as("every row served from the cache").isZero();
		});
	}

	@Test
	void twoInstancesTimesSixteenThreadsLoadAColdKeyOnce() throws Exception {
		ApplicationContextRunner instances = this.contexts.withUserConfiguration(PriceConfiguration.class);
		instances.run((first) -> instances.run((second) -> {
			Prices one = first.getBean(Prices.class);
			Prices two = second.getBean(Prices.class);
			ExecutorService pool = Executors.newFixedThreadPool(32);
			try {
				CyclicBarrier start = new CyclicBarrier(32);
				List<Future<String>> results = new ArrayList<>();
				for (int t = 0; t < 32; t++) {
					Prices prices = (t % 2 == 0) ? one : two;
					results.add(pool.submit(() -> {
						start.await(30, TimeUnit.SECONDS);
						return prices.price("cold");
					}));
				}
				for (Future<String> result : results) {
					assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("price-of-cold");
				}
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(Prices.loads).as("loads across both instances").hasValue(1);
		}));
	}

	/**
	 * A key prefix no other test uses, under which the 8 shards of each of these caches land on every master (as
	 * shards of a real cache do, given enough of them), so each test reaches all three.
	 */
	static String spreadPrefix(String... caches) {
		RedisCluster cluster = RedisCluster.shared();
		String base = CacheTagsContexts.uniquePrefix();
		for (int attempt = 0;; attempt++) {
			String candidate = base + "-" + attempt;
			boolean spread = true;
			for (String cache : caches) {
				Set<String> masters = new TreeSet<>();
				for (int shard = 0; shard < SHARDS; shard++) {
					masters.add(cluster.nodeServing("{" + candidate + ":_:" + cache + ":" + shard + "}").address());
				}
				spread &= masters.size() == cluster.nodes().size();
			}
			if (spread) {
				return candidate;
			}
		}
	}

	/**
	 * A price list whose every load takes 50 ms.
	 */
	static class Prices {

		static final AtomicInteger loads = new AtomicInteger();

		@Cacheable(cacheNames = "prices", sync = true)
		public String price(String item) {
			loads.incrementAndGet();
			LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
			return "price-of-" + item;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class PriceConfiguration {

		@Bean
		Prices prices() {
			Prices.loads.set(0);
			return new Prices();
		}

	}

}
