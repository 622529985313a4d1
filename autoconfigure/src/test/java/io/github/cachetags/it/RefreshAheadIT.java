package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.cache.CacheStatistics;
import io.github.cachetags.cache.RefreshScheduler;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Refresh-ahead keeps hot keys from expiring, once across instances; idle keys expire; a purge during a refresh is
 * never undone; stale values are served only within their windows.
 */
class RefreshAheadIT {

	private static final AtomicInteger loads = new AtomicInteger();

	private static final AtomicInteger callerLoads = new AtomicInteger();

	private static final AtomicInteger version = new AtomicInteger(1);

	private static volatile CountDownLatch refreshStarted = new CountDownLatch(1);

	private static volatile CountDownLatch refreshMayFinish = new CountDownLatch(0);

	private static volatile boolean failLoads;

	@BeforeEach
	void resetQuotes() {
		loads.set(0);
		callerLoads.set(0);
		version.set(1);
		refreshStarted = new CountDownLatch(1);
		refreshMayFinish = new CountDownLatch(0);
		failLoads = false;
	}

	@AfterEach
	void releaseRefreshes() {
		refreshMayFinish.countDown();
	}

	@Test
	void aHotKeyReadByTwoInstancesNeverExpiresAndIsRefreshedOncePerPeriod() throws Exception {
		String prefix = CacheTagsContexts.uniquePrefix();
		// a refresh window of a second leaves room for a refresh thread delayed by a loaded machine
		String[] properties = { "cachetags.key-prefix=" + prefix, "cachetags.caches.quotes.ttl=2s",
				"cachetags.caches.quotes.freshness.refresh-ahead=true",
				"cachetags.caches.quotes.freshness.refresh-threshold=0.5", "cachetags.refresh.interval=50ms" };
		runner(properties).run((first) -> runner(properties).run((second) -> {
			Quotes a = first.getBean(Quotes.class);
			Quotes b = second.getBean(Quotes.class);
			assertThat(a.quote("ACME")).isEqualTo("ACME@1");
			long ttls = 5;
			long deadline = System.nanoTime() + Duration.ofMillis(2000 * ttls).toNanos();
			ExecutorService readers = Executors.newFixedThreadPool(4);
			List<Future<Integer>> reads = new ArrayList<>();
			for (Quotes instance : List.of(a, b, a, b)) {
				reads.add(readers.submit(() -> {
					int count = 0;
					while (System.nanoTime() - deadline < 0 && count < 1_000_000) {
						assertThat(instance.quote("ACME")).startsWith("ACME@");
						count++;
						// readers pace themselves like request traffic would
						LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
					}
					return count;
				}));
			}
			int total = 0;
			for (Future<Integer> read : reads) {
				total += read.get(60, TimeUnit.SECONDS);
			}
			readers.shutdown();
			long refreshes = statistics(first).refreshes() + statistics(second).refreshes();
			System.out.printf("[refresh-ahead] %d reads by 2 instances over %d TTLs of 2s: loader ran %d time(s), "
					+ "%d on a caller's thread, %d background refreshes (%d in one instance, %d in the other), "
					+ "%d coalesced waits%n", total, ttls, loads.get(), callerLoads.get(), refreshes,
					statistics(first).refreshes(), statistics(second).refreshes(),
					statistics(first).coalesced() + statistics(second).coalesced());
			assertThat(callerLoads).as("loads a caller waited for, after the first").hasValue(1);
			assertThat(statistics(first).misses() + statistics(second).misses()).isEqualTo(1);
			// a refresh period is about half the TTL: about 10 in 5 TTLs; twice that if every instance refreshed
			assertThat(refreshes).isBetween(5L, 15L);
			assertThat(loads.get()).isEqualTo(1 + refreshes);
		}));
	}

	@Test
	void aKeyNoLongerReadIsNotRefreshedAndExpires() {
		String[] properties = { "cachetags.caches.quotes.ttl=600ms",
				"cachetags.caches.quotes.freshness.refresh-ahead=true",
				"cachetags.caches.quotes.freshness.refresh-threshold=0.5",
				"cachetags.caches.quotes.freshness.refresh-idle=200ms", "cachetags.refresh.interval=50ms" };
		runner(properties).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			RefreshScheduler scheduler = context.getBean(RefreshScheduler.class);
			assertThat(quotes.quote("IDLE")).isEqualTo("IDLE@1");
			assertThat(quotes.quote("IDLE")).isEqualTo("IDLE@1");
			assertThat(scheduler.registeredKeys()).isEqualTo(1);
			TagAwareCache cache = context.getBean(TagAwareCacheManager.class).getCache("quotes");
			await().atMost(Duration.ofSeconds(10)).until(() -> cache.get("IDLE") == null);
			assertThat(scheduler.registeredKeys()).as("the idle key was forgotten").isZero();
			assertThat(cache.getStatistics().refreshes()).isZero();
			assertThat(loads).hasValue(1);
		});
	}

	@Test
	void aValueRefreshedFromDataReadBeforeAPurgeIsNotStored() throws Exception {
		String[] properties = { "cachetags.caches.quotes.ttl=10s",
				"cachetags.caches.quotes.freshness.refresh-ahead=true",
				"cachetags.caches.quotes.freshness.refresh-threshold=0.99", "cachetags.refresh.interval=50ms" };
		runner(properties).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			CacheStatistics statistics = statistics(context);
			assertThat(quotes.quote("P")).isEqualTo("P@1");
			refreshMayFinish = new CountDownLatch(1);
			// reads in the last 99% of the TTL start a refresh; it reads version 1 and then waits
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				quotes.quote("P");
				return refreshStarted.getCount() == 0;
			});
			version.set(2);
			assertThat(context.getBean(CacheTagOperations.class).purge("quote:P")).isEqualTo(1);
			refreshMayFinish.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> statistics.refreshes() == 1);
			assertThat(statistics.refusedPuts()).as("the refreshed value was refused").isEqualTo(1);
			assertThat(quotes.quote("P")).isEqualTo("P@2");
			assertThat(callerLoads).hasValue(2);
		});
	}

	@Test
	void staleWhileRevalidateServesThePreviousValueOnceExpiredAndRefreshesIt() {
		String prefix = CacheTagsContexts.uniquePrefix();
		String[] properties = { "cachetags.key-prefix=" + prefix, "cachetags.caches.quotes.ttl=300ms",
				"cachetags.caches.quotes.freshness.stale-while-revalidate=30s" };
		runner(properties).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			CacheStatistics statistics = statistics(context);
			assertThat(quotes.quote("S")).isEqualTo("S@1");
			awaitExpiry(prefix, "S", Duration.ofSeconds(30));
			version.set(2);
			assertThat(quotes.quote("S")).as("served stale").isEqualTo("S@1");
			assertThat(statistics.staleServed()).isEqualTo(1);
			await().atMost(Duration.ofSeconds(10)).until(() -> statistics.refreshes() == 1);
			assertThat(quotes.quote("S")).isEqualTo("S@2");
			assertThat(callerLoads).as("nobody waited for the reload").hasValue(1);
		});
	}

	@Test
	void staleIfErrorServesThePreviousValueWhenTheLoadFails() {
		String prefix = CacheTagsContexts.uniquePrefix();
		String[] properties = { "cachetags.key-prefix=" + prefix, "cachetags.caches.quotes.ttl=300ms",
				"cachetags.caches.quotes.freshness.stale-if-error=30s" };
		runner(properties).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			CacheStatistics statistics = statistics(context);
			assertThat(quotes.quote("E")).isEqualTo("E@1");
			awaitExpiry(prefix, "E", Duration.ofSeconds(30));
			failLoads = true;
			assertThat(quotes.quote("E")).as("served stale on error").isEqualTo("E@1");
			assertThat(statistics.staleServed()).isEqualTo(1);
			failLoads = false;
			version.set(2);
			assertThat(quotes.quote("E")).as("loaded again once the loader works").isEqualTo("E@2");
		});
	}

	/**
	 * Waits until the entry's time to live is over and only its stale grace period is left.
	 */
	private static void awaitExpiry(String prefix, String key, Duration grace) {
		try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
			String entry = "{" + prefix + ":_:quotes:0}:v1:e:" + key;
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> redis.sync().pttl(entry) < grace.toMillis() - 50);
		}
	}

	private static CacheStatistics statistics(AssertableApplicationContext context) {
		return context.getBean(TagAwareCacheManager.class).getCache("quotes").getStatistics();
	}

	private static org.springframework.boot.test.context.runner.ApplicationContextRunner runner(
			String... properties) {
		return CacheTagsContexts.onRedis(RedisServer.shared())
			.withUserConfiguration(QuotesConfiguration.class)
			.withPropertyValues(properties);
	}

	static class Quotes {

		@Cacheable(cacheNames = "quotes", sync = true)
		@CacheTags("'quote:' + #symbol")
		public String quote(String symbol) {
			loads.incrementAndGet();
			boolean refresh = Thread.currentThread().getName().startsWith("cachetags-refresh-");
			if (!refresh) {
				callerLoads.incrementAndGet();
			}
			String value = symbol + "@" + version.get();
			// a database query of 20 ms
			LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			if (refresh) {
				refreshStarted.countDown();
				try {
					refreshMayFinish.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			if (failLoads) {
				throw new IllegalStateException("database down");
			}
			return value;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class QuotesConfiguration {

		@Bean
		Quotes quotes() {
			return new Quotes();
		}

	}

}
