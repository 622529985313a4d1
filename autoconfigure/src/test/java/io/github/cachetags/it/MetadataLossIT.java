package io.github.cachetags.it;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deleting any metadata key by hand turns entries into misses, never into stale hits.
 */
class MetadataLossIT {

	private static RedisCommandsForTests redis;

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withUserConfiguration(LossConfiguration.class);

	@BeforeAll
	static void connect() {
		redis = new RedisCommandsForTests(RedisServer.shared());
	}

	@AfterAll
	static void disconnect() {
		redis.close();
	}

	@Test
	void lostTagIndexStillLetsAPurgeInvalidateItsEntries() {
		this.contexts.run((context) -> {
			Prices prices = context.getBean(Prices.class);
			prices.set(1, 100);
			assertThat(prices.price(1)).isEqualTo(100);
			assertThat(redis.sync().del(key(context, "i:price:1"))).isEqualTo(1);

			prices.set(1, 200);
			context.getBean(CacheTagOperations.class).purge("price:1");

			assertThat(prices.price(1)).isEqualTo(200);
		});
	}

	@Test
	void lostTagMarkTurnsItsEntriesIntoMisses() {
		this.contexts.run((context) -> {
			Prices prices = context.getBean(Prices.class);
			prices.set(1, 100);
			prices.price(1);
			int loads = prices.loads();
			assertThat(redis.sync().del(key(context, "m:price:1"))).isEqualTo(1);

			prices.price(1);

			assertThat(prices.loads()).isEqualTo(loads + 1);
		});
	}

	@Test
	void lostCacheMarkTurnsEveryEntryIntoAMiss() {
		this.contexts.run((context) -> {
			Prices prices = context.getBean(Prices.class);
			prices.set(1, 100);
			prices.set(2, 100);
			prices.price(1);
			prices.price(2);
			int loads = prices.loads();
			assertThat(redis.sync().del(key(context, "m:"))).isEqualTo(1);

			prices.price(1);
			prices.price(2);

			assertThat(prices.loads()).isEqualTo(loads + 2);
		});
	}

	@Test
	void markDeletedAfterAPurgeStillRefusesALoadThatBeganBeforeIt() throws Exception {
		this.contexts.run((context) -> {
			Prices prices = context.getBean(Prices.class);
			prices.set(1, 100);
			prices.price(1);
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);
			operations.purge("price:1");
			prices.pauseNextLoad();
			CompletableFuture<Integer> slowLoad = CompletableFuture.supplyAsync(() -> prices.price(1));
			prices.awaitPausedLoad();

			prices.set(1, 200);
			operations.purge("price:1");
			redis.sync().del(key(context, "m:price:1"));
			prices.resumeLoad();

			assertThat(slowLoad.get(10, TimeUnit.SECONDS)).as("the slow load read the old price").isEqualTo(100);
			assertThat(prices.price(1)).as("but did not store it").isEqualTo(200);
		});
	}

	@Test
	void markAndShardStampDeletedAfterAPurgeStillRefuseALoadThatBeganBeforeIt() throws Exception {
		this.contexts.run((context) -> {
			Prices prices = context.getBean(Prices.class);
			prices.set(1, 100);
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);
			prices.pauseNextLoad();
			CompletableFuture<Integer> slowLoad = CompletableFuture.supplyAsync(() -> prices.price(1));
			prices.awaitPausedLoad();

			prices.set(1, 200);
			operations.purge("price:1");
			redis.sync().del(key(context, "m:price:1"), key(context, "q"));
			prices.resumeLoad();

			assertThat(slowLoad.get(10, TimeUnit.SECONDS)).isEqualTo(100);
			assertThat(prices.price(1)).isEqualTo(200);
		});
	}

	@Test
	void lostEntryIsAMiss() {
		this.contexts.run((context) -> {
			Prices prices = context.getBean(Prices.class);
			prices.set(1, 100);
			prices.price(1);
			int loads = prices.loads();
			redis.sync().del(key(context, "e:1"));

			prices.price(1);

			assertThat(prices.loads()).isEqualTo(loads + 1);
		});
	}

	private static String key(ApplicationContext context, String suffix) {
		String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
		return "{" + prefix + ":_:prices:0}:v1:" + suffix;
	}

	/**
	 * Prices whose next load can be held between reading the price and returning it.
	 */
	static class Prices {

		private final java.util.Map<Long, Integer> table = new java.util.concurrent.ConcurrentHashMap<>();

		private final AtomicInteger loads = new AtomicInteger();

		private volatile CountDownLatch paused = new CountDownLatch(0);

		private volatile CountDownLatch resume = new CountDownLatch(0);

		void set(long id, int price) {
			this.table.put(id, price);
		}

		int loads() {
			return this.loads.get();
		}

		void pauseNextLoad() {
			this.paused = new CountDownLatch(1);
			this.resume = new CountDownLatch(1);
		}

		void awaitPausedLoad() throws InterruptedException {
			assertThat(this.paused.await(10, TimeUnit.SECONDS)).isTrue();
		}

		void resumeLoad() {
			this.resume.countDown();
		}

		@Cacheable(cacheNames = "prices")
		@CacheTags("'price:' + #id")
		public int price(long id) {
			this.loads.incrementAndGet();
			int price = this.table.get(id);
			CountDownLatch hold = this.resume;
			if (hold.getCount() > 0) {
				this.paused.countDown();
				try {
					hold.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				this.resume = new CountDownLatch(0);
			}
			return price;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class LossConfiguration {

		@Bean
		Prices prices() {
			return new Prices();
		}

	}

}
