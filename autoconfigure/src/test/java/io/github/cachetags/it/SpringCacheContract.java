package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.CacheManager;
import org.springframework.cache.support.NullValue;
import org.springframework.cache.support.SimpleValueWrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Spring's {@link Cache} contract, as Spring Framework's own {@code AbstractCacheTests} and
 * {@code AbstractValueAdaptingCacheTests} state it, held against the auto-configured cache manager on a real Redis.
 * Each value serializer runs it in its own {@code SpringCacheConformance*IT}.
 */
abstract class SpringCacheContract {

	static final String CACHE_NAME = "testCache";

	static final String CACHE_NAME_NO_NULL = "testCacheNoNull";

	/** How many times the put-after-invalidation tests repeat: the race they catch is one of milliseconds. */
	static final int ROUNDS = 50;

	/** How long a deferred put may take to become visible; Spring's contract allows deferring, not losing. */
	static final Duration PUT_VISIBLE_WITHIN = Duration.ofSeconds(5);

	static final Duration FUTURE_TIMEOUT = Duration.ofSeconds(10);

	private final String serializer;

	/**
	 * @param serializer the value of {@code cachetags.serializer}
	 */
	SpringCacheContract(String serializer) {
		this.serializer = serializer;
	}

	private ApplicationContextRunner contexts() {
		return CacheTagsContexts.onRedis(RedisServer.shared())
			.withPropertyValues("cachetags.serializer=" + this.serializer, "cachetags.cache-null-values=true",
					"cachetags.caches." + CACHE_NAME_NO_NULL + ".cache-null-values=false");
	}

	@Test
	void cacheHasTheRequestedName() {
		withCache((cache, manager) -> assertThat(cache.getName()).isEqualTo(CACHE_NAME));
	}

	@Test
	void missReadsAsNull() {
		withCache((cache, manager) -> {
			assertThat(cache.get("george")).isNull();
			assertThat(cache.get("george", String.class)).isNull();
			assertThat(cache.get("george", Object.class)).isNull();
		});
	}

	@Test
	void putValueIsReadBack() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");

			assertThat(cache.get("enescu")).isNotNull();
			assertThat(cache.get("enescu").get()).isEqualTo("george");
			assertThat(cache.get("enescu", String.class)).isEqualTo("george");
			assertThat(cache.get("enescu", Object.class)).isEqualTo("george");
			assertThat(cache.get("enescu", (Class<?>) null)).isEqualTo("george");
		});
	}

	@Test
	void putReplacesThePreviousValue() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");
			cache.put("enescu", "mihai");

			assertThat(cache.get("enescu", String.class)).isEqualTo("mihai");
		});
	}

	@Test
	void putNullIsCachedAsNull() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");
			cache.put("enescu", null);

			assertThat(cache.get("enescu")).as("a cached null is a hit").isNotNull();
			assertThat(cache.get("enescu").get()).isNull();
			assertThat(cache.get("enescu", String.class)).isNull();
			assertThat(cache.get("enescu", Object.class)).isNull();
		});
	}

	@Test
	void putNullValueReadsBackAsNullNotAsTheNullValueObject() {
		withCache((cache, manager) -> {
			cache.put("enescu", NullValue.INSTANCE);

			assertThat(cache.get("enescu")).as("a cached null is a hit").isNotNull();
			assertThat(cache.get("enescu").get()).as("the value, not the NullValue marker").isNull();
			assertThat(cache.get("enescu", String.class)).isNull();
			assertThat(cache.get("enescu", Object.class)).isNull();
		});
	}

	@Test
	void putNullIsRefusedByACacheThatDoesNotStoreNulls() {
		withCache(CACHE_NAME_NO_NULL, (cache, manager) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> cache.put("enescu", null))
			.withMessageContaining(CACHE_NAME_NO_NULL));
	}

	@Test
	void getWithATypeRefusesAValueOfAnotherType() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");

			assertThatIllegalStateException().isThrownBy(() -> cache.get("enescu", Integer.class))
				.withMessageContaining(Integer.class.getName());
		});
	}

	@Test
	void longValueReadsBackAsLong() {
		withCache((cache, manager) -> {
			cache.put("answer", 42L);

			assertThat(cache.get("answer").get()).isEqualTo(42L);
			assertThat(cache.get("answer", Long.class)).isEqualTo(42L);
		});
	}

	@Test
	void putIfAbsentStoresOnlyWhenTheKeyIsAbsent() {
		withCache((cache, manager) -> {
			assertThat(cache.putIfAbsent("enescu", "initialValue")).isNull();
			assertThat(cache.get("enescu").get()).isEqualTo("initialValue");

			ValueWrapper existing = cache.putIfAbsent("enescu", "anotherValue");

			assertThat(existing).isNotNull();
			assertThat(existing.get()).isEqualTo("initialValue");
			assertThat(cache.get("enescu").get()).isEqualTo("initialValue");
		});
	}

	@Test
	void putIfAbsentKeepsACachedNull() {
		withCache((cache, manager) -> {
			cache.put("enescu", null);

			ValueWrapper existing = cache.putIfAbsent("enescu", "anotherValue");

			assertThat(existing).as("the key maps to null, so it is present").isNotNull();
			assertThat(existing.get()).isNull();
			assertThat(cache.get("enescu").get()).isNull();
		});
	}

	@Test
	void evictRemovesTheEntry() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");
			cache.put("vlaicu", "aurel");

			cache.evict("enescu");

			assertThat(cache.get("enescu")).isNull();
			assertThat(cache.get("vlaicu").get()).isEqualTo("aurel");
		});
	}

	@Test
	void evictIfPresentReportsWhetherTheKeyWasPresent() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");

			assertThat(cache.evictIfPresent("enescu")).isTrue();
			assertThat(cache.get("enescu")).isNull();
			assertThat(cache.evictIfPresent("enescu")).isFalse();
		});
	}

	@Test
	void clearRemovesEveryEntry() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");
			cache.put("vlaicu", "aurel");

			cache.clear();

			assertThat(cache.get("enescu")).isNull();
			assertThat(cache.get("vlaicu")).isNull();
		});
	}

	@Test
	void invalidateRemovesEveryEntryAndReportsThatThereWereSome() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");
			cache.put("vlaicu", "aurel");

			assertThat(cache.invalidate()).isTrue();

			assertThat(cache.get("enescu")).isNull();
			assertThat(cache.get("vlaicu")).isNull();
		});
	}

	@Test
	void invalidateOfAnEmptyCacheReportsNoEntries() {
		withCache((cache, manager) -> assertThat(cache.invalidate()).isFalse());
	}

	@Test
	void putAfterEvictIsStored() {
		withCache((cache, manager) -> {
			for (int round = 0; round < ROUNDS; round++) {
				cache.put("key-" + round, "old-" + round);
				cache.evict("key-" + round);
				cache.put("key-" + round, "new-" + round);
			}

			awaitEveryRoundVisible((round) -> cache, "put right after evict");
		});
	}

	@Test
	void putAfterClearIsStored() {
		withCache((cache, manager) -> {
			for (int round = 0; round < ROUNDS; round++) {
				Cache own = manager.getCache("clear-" + round);
				own.put("key-" + round, "old-" + round);
				own.clear();
				own.put("key-" + round, "new-" + round);
			}

			awaitEveryRoundVisible((round) -> manager.getCache("clear-" + round), "put right after clear");
		});
	}

	@Test
	void putAfterInvalidateIsStored() {
		withCache((cache, manager) -> {
			for (int round = 0; round < ROUNDS; round++) {
				Cache own = manager.getCache("invalidate-" + round);
				own.put("key-" + round, "old-" + round);
				own.invalidate();
				own.put("key-" + round, "new-" + round);
			}

			awaitEveryRoundVisible((round) -> manager.getCache("invalidate-" + round), "put right after invalidate");
		});
	}

	@Test
	void loadAfterEvictIsStored() {
		withCache((cache, manager) -> {
			for (int round = 0; round < ROUNDS; round++) {
				String loaded = "new-" + round;
				cache.put("key-" + round, "old-" + round);
				cache.evict("key-" + round);
				assertThat(cache.get("key-" + round, () -> loaded)).isEqualTo(loaded);
			}

			awaitEveryRoundVisible((round) -> cache, "load right after evict");
		});
	}

	@Test
	void getWithLoaderCallsTheLoaderOnceAndCachesTheValue() {
		withCache((cache, manager) -> {
			AtomicInteger calls = new AtomicInteger();

			assertThat(cache.get("enescu", () -> "george-" + calls.incrementAndGet())).isEqualTo("george-1");
			assertThat(cache.get("enescu", () -> "george-" + calls.incrementAndGet())).isEqualTo("george-1");

			assertThat(calls).hasValue(1);
			assertThat(cache.get("enescu").get()).isEqualTo("george-1");
		});
	}

	@Test
	void getWithLoaderCachesANullResult() {
		withCache((cache, manager) -> {
			AtomicInteger calls = new AtomicInteger();

			String loaded = cache.get("enescu", () -> {
				calls.incrementAndGet();
				return null;
			});

			assertThat(loaded).isNull();

			assertThat(cache.get("enescu")).as("the null was cached").isNotNull();
			assertThat(cache.get("enescu").get()).isNull();
			assertThat(cache.get("enescu", () -> "loaded again")).as("the loader was not called").isNull();
			assertThat(calls).hasValue(1);
		});
	}

	@Test
	void getWithLoaderDoesNotCallTheLoaderOnAHit() {
		withCache((cache, manager) -> {
			cache.put("enescu", "existing");

			String value = cache.get("enescu", () -> {
				throw new IllegalStateException("Should not have been invoked");
			});

			assertThat(value).isEqualTo("existing");
		});
	}

	@Test
	void getWithLoaderDoesNotCallTheLoaderOnACachedNull() {
		withCache((cache, manager) -> {
			cache.put("enescu", null);

			String value = cache.get("enescu", () -> {
				throw new IllegalStateException("Should not have been invoked");
			});

			assertThat(value).isNull();
		});
	}

	@Test
	void getWithLoaderWrapsTheLoaderExceptionAndCachesNothing() {
		withCache((cache, manager) -> {
			assertThatExceptionOfType(Cache.ValueRetrievalException.class).isThrownBy(() -> cache.get("enescu", () -> {
				throw new UnsupportedOperationException("Expected exception");
			})).withCauseExactlyInstanceOf(UnsupportedOperationException.class);

			assertThat(cache.get("enescu")).isNull();
			assertThat(cache.get("enescu", () -> "loaded")).isEqualTo("loaded");
		});
	}

	@Test
	void concurrentGetsWithLoaderCallTheLoaderOnce() {
		withCache((cache, manager) -> {
			int threads = 10;
			AtomicInteger calls = new AtomicInteger();
			CountDownLatch calling = new CountDownLatch(threads);
			ExecutorService pool = Executors.newFixedThreadPool(threads);
			try {
				List<Future<String>> results = new ArrayList<>();
				for (int i = 0; i < threads; i++) {
					results.add(pool.submit(() -> {
						calling.countDown();
						return cache.get("enescu", () -> {
							int call = calls.incrementAndGet();
							// hold the load until every thread has asked, so that they overlap
							calling.await(10, TimeUnit.SECONDS);
							return "loaded-" + call;
						});
					}));
				}
				for (Future<String> result : results) {
					assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("loaded-1");
				}
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(calls).hasValue(1);
		});
	}

	@Test
	void retrieveOfAMissCompletesEmpty() {
		withCache((cache, manager) -> assertThat(retrieved(cache, "enescu")).isNull());
	}

	@Test
	void retrieveCompletesWithTheStoredValue() {
		withCache((cache, manager) -> {
			cache.put("enescu", "george");

			ValueWrapper found = retrieved(cache, "enescu");

			assertThat(found).isNotNull();
			assertThat(found.get()).isEqualTo("george");
		});
	}

	@Test
	void retrieveTellsACachedNullFromAMiss() {
		withCache((cache, manager) -> {
			cache.put("enescu", null);

			ValueWrapper found = retrieved(cache, "enescu");

			assertThat(found).as("a cached null is a hit").isNotNull();
			assertThat(found.get()).isNull();
		});
	}

	@Test
	void retrieveWithLoaderLoadsOnceAndCachesTheValue() {
		withCache((cache, manager) -> {
			AtomicInteger calls = new AtomicInteger();

			assertThat(cache.retrieve("enescu",
					() -> CompletableFuture.completedFuture("george-" + calls.incrementAndGet())))
				.succeedsWithin(FUTURE_TIMEOUT)
				.isEqualTo("george-1");
			assertThat(cache.retrieve("enescu",
					() -> CompletableFuture.completedFuture("george-" + calls.incrementAndGet())))
				.succeedsWithin(FUTURE_TIMEOUT)
				.isEqualTo("george-1");

			assertThat(calls).hasValue(1);
			assertThat(cache.get("enescu").get()).isEqualTo("george-1");
		});
	}

	@Test
	void retrieveWithLoaderDoesNotCallTheLoaderOnAHit() {
		withCache((cache, manager) -> {
			cache.put("enescu", "existing");

			assertThat(cache.retrieve("enescu", () -> {
				throw new IllegalStateException("Should not have been invoked");
			})).succeedsWithin(FUTURE_TIMEOUT).isEqualTo("existing");
		});
	}

	@Test
	void retrieveWithFailingLoaderCompletesExceptionallyAndCachesNothing() {
		withCache((cache, manager) -> {
			CompletableFuture<String> failed = cache.retrieve("enescu",
					() -> CompletableFuture.failedFuture(new UnsupportedOperationException("Expected exception")));

			assertThat(failed).failsWithin(FUTURE_TIMEOUT)
				.withThrowableOfType(ExecutionException.class)
				.withCauseExactlyInstanceOf(UnsupportedOperationException.class);
			assertThat(cache.get("enescu")).isNull();
			assertThat(cache.retrieve("enescu", () -> CompletableFuture.completedFuture("loaded")))
				.succeedsWithin(FUTURE_TIMEOUT)
				.isEqualTo("loaded");
		});
	}

	/**
	 * What {@code retrieve(key)} found: {@code null} on a miss, else the cached value wrapped (the contract allows
	 * a {@link ValueWrapper} or the plain value in the future, and {@code null} instead of a future on a miss).
	 */
	private static @Nullable ValueWrapper retrieved(Cache cache, Object key) throws Exception {
		CompletableFuture<?> future = cache.retrieve(key);
		if (future == null) {
			return null;
		}
		Object result = future.get(FUTURE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		if (result == null) {
			return null;
		}
		return (result instanceof ValueWrapper wrapper) ? wrapper : new SimpleValueWrapper(result);
	}

	/**
	 * Waits, within a bound, until the cache of every round holds {@code new-<round>} under {@code key-<round>}.
	 */
	private static void awaitEveryRoundVisible(RoundCache caches, String what) {
		await().atMost(PUT_VISIBLE_WITHIN).untilAsserted(() -> {
			List<Integer> lost = new ArrayList<>();
			for (int round = 0; round < ROUNDS; round++) {
				ValueWrapper found = caches.of(round).get("key-" + round);
				if (found == null || !Objects.equals(found.get(), "new-" + round)) {
					lost.add(round);
				}
			}
			assertThat(lost).as("rounds (of %d) whose %s is not visible", ROUNDS, what).isEmpty();
		});
	}

	private void withCache(CacheTest test) {
		withCache(CACHE_NAME, test);
	}

	private void withCache(String name, CacheTest test) {
		contexts().run((context) -> {
			assertThat(context).hasNotFailed();
			CacheManager manager = context.getBean(CacheManager.class);
			test.run(manager.getCache(name), manager);
		});
	}

	@FunctionalInterface
	interface CacheTest {

		void run(Cache cache, CacheManager manager) throws Exception;

	}

	@FunctionalInterface
	interface RoundCache {

		Cache of(int round);

	}

}
