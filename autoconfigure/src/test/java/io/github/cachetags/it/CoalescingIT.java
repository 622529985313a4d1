package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Concurrent misses on one key load once, across threads and across instances sharing Redis.
 */
class CoalescingIT {

	static final int INSTANCES = 4;

	static final int THREADS = 32;

	private static final AtomicInteger loads = new AtomicInteger();

	private static volatile CountDownLatch stall = new CountDownLatch(0);

	private static volatile RuntimeException failure;

	@BeforeEach
	void resetCatalog() {
		loads.set(0);
		stall = new CountDownLatch(0);
		failure = null;
	}

	@AfterEach
	void releaseStalledLoads() {
		stall.countDown();
		failure = null;
	}

	@Test
	void fourInstancesTimesThirtyTwoThreadsLoadAColdKeyOnce() throws Exception {
		String prefix = CacheTagsContexts.uniquePrefix();
		loads.set(0);
		List<AssertableApplicationContext> instances = new ArrayList<>();
		openInstances(prefix, INSTANCES, instances, () -> {
			ExecutorService pool = Executors.newFixedThreadPool(INSTANCES * THREADS);
			CyclicBarrier start = new CyclicBarrier(INSTANCES * THREADS);
			List<Future<String>> results = new ArrayList<>();
			for (AssertableApplicationContext instance : instances) {
				SlowCatalog catalog = instance.getBean(SlowCatalog.class);
				for (int t = 0; t < THREADS; t++) {
					results.add(pool.submit(() -> {
						start.await(30, TimeUnit.SECONDS);
						return catalog.price("cold");
					}));
				}
			}
			for (Future<String> result : results) {
				assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo("price-of-cold");
			}
			pool.shutdown();
			long coalesced = instances.stream()
				.mapToLong((instance) -> instance.getBean(TagAwareCacheManager.class).getCache("prices").getStatistics()
					.coalesced())
				.sum();
			System.out.printf("[stampede] %d instances x %d threads: loader ran %d time(s), %d callers waited%n",
					INSTANCES, THREADS, loads.get(), coalesced);
			assertThat(loads).hasValue(1);
		});
	}

	@Test
	void waitersLoadOnceMoreWhenTheLeaseHolderStalls() throws Exception {
		String prefix = CacheTagsContexts.uniquePrefix();
		loads.set(0);
		List<AssertableApplicationContext> instances = new ArrayList<>();
		openInstances(prefix, 2, instances, () -> {
			SlowCatalog holder = instances.get(0).getBean(SlowCatalog.class);
			SlowCatalog other = instances.get(1).getBean(SlowCatalog.class);
			stall = new CountDownLatch(1);
			CompletableFuture<String> stalled = CompletableFuture.supplyAsync(() -> holder.price("k"));
			awaitLoads(1);

			ExecutorService pool = Executors.newFixedThreadPool(8);
			List<Future<String>> waiters = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				waiters.add(pool.submit(() -> other.price("k")));
			}
			for (Future<String> waiter : waiters) {
				assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo("price-of-k");
			}
			pool.shutdown();
			assertThat(stalled).as("the lease holder is still stalled").isNotDone();
			System.out.printf("[lease holder stalled] 8 waiters in another instance recovered; loader ran %d time(s)%n",
					loads.get());
			assertThat(loads).as("the stalled load and one more").hasValue(2);
			stall.countDown();
			assertThat(stalled.get(30, TimeUnit.SECONDS)).isEqualTo("price-of-k");
		}, "cachetags.coalescing.lease-time=300ms");
	}

	@Test
	void aLoaderExceptionReachesEveryWaiterAndNothingIsCached() throws Exception {
		CacheTagsContexts.onRedis(RedisServer.shared()).withUserConfiguration(CatalogConfiguration.class)
			.run((context) -> {
				loads.set(0);
				SlowCatalog catalog = context.getBean(SlowCatalog.class);
				failure = new IllegalStateException("database down");
				ExecutorService pool = Executors.newFixedThreadPool(16);
				CyclicBarrier start = new CyclicBarrier(16);
				List<Future<String>> calls = new ArrayList<>();
				for (int t = 0; t < 16; t++) {
					calls.add(pool.submit(() -> {
						start.await(30, TimeUnit.SECONDS);
						return catalog.price("failing");
					}));
				}
				for (Future<String> call : calls) {
					assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
						.isThrownBy(() -> call.get(30, TimeUnit.SECONDS))
						.withRootCauseInstanceOf(IllegalStateException.class)
						.withMessageContaining("database down");
				}
				pool.shutdown();
				assertThat(loads.get()).as("loads during the failing flight").isBetween(1, 2);
				failure = null;
				int before = loads.get();
				assertThat(catalog.price("failing")).isEqualTo("price-of-failing");
				assertThat(loads.get()).isEqualTo(before + 1);
			});
	}

	@Test
	void everyEligibleCacheableIsCoalescedInModeAll() throws Exception {
		CacheTagsContexts.onRedis(RedisServer.shared()).withUserConfiguration(CatalogConfiguration.class)
			.run((context) -> {
				SlowCatalog catalog = context.getBean(SlowCatalog.class);
				List<String> results = concurrently(32, () -> catalog.plainPrice("plain"));
				assertThat(results).containsOnly("price-of-plain").hasSize(32);
				System.out.printf("[mode all] 32 threads on a @Cacheable without sync: loader ran %d time(s)%n",
						loads.get());
				assertThat(loads).hasValue(1);
			});
	}

	@Test
	void asynchronousCacheableMissesLoadOnce() throws Exception {
		CacheTagsContexts.onRedis(RedisServer.shared()).withUserConfiguration(CatalogConfiguration.class)
			.run((context) -> {
				SlowCatalog catalog = context.getBean(SlowCatalog.class);
				List<String> results = concurrently(16, () -> catalog.asyncPrice("async").get(30, TimeUnit.SECONDS));
				assertThat(results).containsOnly("price-of-async").hasSize(16);
				assertThat(loads).hasValue(1);
				assertThat(catalog.asyncPrice("async").get(30, TimeUnit.SECONDS)).isEqualTo("price-of-async");
				assertThat(loads).as("a later call is a hit").hasValue(1);
			});
	}

	private static List<String> concurrently(int threads, java.util.concurrent.Callable<String> call)
			throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CyclicBarrier start = new CyclicBarrier(threads);
			List<Future<String>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				futures.add(pool.submit(() -> {
					start.await(30, TimeUnit.SECONDS);
					return call.call();
				}));
			}
			List<String> results = new ArrayList<>();
			for (Future<String> future : futures) {
				results.add(future.get(60, TimeUnit.SECONDS));
			}
			return results;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static void awaitLoads(int expected) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (loads.get() < expected) {
			assertThat(System.nanoTime() - deadline).as("waiting for a load to start").isNegative();
			Thread.onSpinWait();
		}
	}

	private static void openInstances(String prefix, int count, List<AssertableApplicationContext> instances,
			ThrowingRunnable body, String... properties) throws Exception {
		if (instances.size() == count) {
			body.run();
			return;
		}
		ApplicationContextRunner runner = CacheTagsContexts.onRedis(RedisServer.shared())
			.withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("cachetags.key-prefix=" + prefix)
			.withPropertyValues(properties);
		Exception[] failed = new Exception[1];
		runner.run((context) -> {
			instances.add(context);
			try {
				openInstances(prefix, count, instances, body, properties);
			}
			catch (Exception ex) {
				failed[0] = ex;
			}
		});
		if (failed[0] != null) {
			throw failed[0];
		}
	}

	@FunctionalInterface
	interface ThrowingRunnable {

		void run() throws Exception;

	}

	static class SlowCatalog {

		@Cacheable("plain-prices")
		public String plainPrice(String item) {
			return price(item);
		}

		@Cacheable("async-prices")
		public CompletableFuture<String> asyncPrice(String item) {
			return CompletableFuture.supplyAsync(() -> price(item));
		}

		@Cacheable(cacheNames = "prices", sync = true)
		public String price(String item) {
			int load = loads.incrementAndGet();
			// a database query of 50 ms; the first one stalls while a test holds the latch
			LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
			try {
				if (load == 1) {
					stall.await(30, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			RuntimeException fail = failure;
			if (fail != null) {
				throw fail;
			}
			return "price-of-" + item;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CatalogConfiguration {

		@Bean
		SlowCatalog slowCatalog() {
			return new SlowCatalog();
		}

	}

}
