package io.github.cachetags.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.cachetags.it.CacheableServices.ConfiguredService;
import io.github.cachetags.it.CacheableServices.CountingService;
import io.github.cachetags.it.CacheableServices.Entity;
import io.github.cachetags.it.CacheableServices.ItemService;
import io.github.cachetags.it.CacheableServices.ServicesConfiguration;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.CacheManager;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Spring's cache annotations ({@code @Cacheable}, {@code @CachePut}, {@code @CacheEvict}, {@code @Caching},
 * {@code @CacheConfig}) on the auto-configured cache manager, as Spring Framework's own
 * {@code AbstractCacheAnnotationTests} and {@code CacheReproTests} exercise them. Each
 * value serializer runs it in its own {@code SpringCacheConformance*IT}.
 */
abstract class SpringCacheAnnotationContract {

	static final int ROUNDS = 50;

	static final Duration PUT_VISIBLE_WITHIN = Duration.ofSeconds(5);

	private final String serializer;

	/**
	 * @param serializer the value of {@code cachetags.serializer}
	 */
	SpringCacheAnnotationContract(String serializer) {
		this.serializer = serializer;
	}

	private ApplicationContextRunner contexts() {
		return CacheTagsContexts.onRedis(RedisServer.shared())
			.withPropertyValues("cachetags.serializer=" + this.serializer, "cachetags.cache-null-values=true")
			.withUserConfiguration(ServicesConfiguration.class);
	}

	@Test
	void cacheableReturnsTheCachedResult() {
		withServices((s) -> {
			String r1 = s.counting().cache("o1");

			assertThat(s.counting().cache("o1")).isEqualTo(r1);
			assertThat(s.counting().cache("o1")).isEqualTo(r1);
			assertThat(s.counting().invocations()).isEqualTo(1);
		});
	}

	@Test
	void cacheableCachesANullResult() {
		withServices((s) -> {
			assertThat(s.cache("testCache").get("o1")).isNull();

			assertThat(s.counting().cacheNull("o1")).isNull();
			assertThat(s.counting().cacheNull("o1")).isNull();

			assertThat(s.counting().invocations()).as("the null result was served from the cache").isEqualTo(1);
			assertThat(s.cache("testCache").get("o1")).as("cached null").isNotNull();
			assertThat(s.cache("testCache").get("o1").get()).isNull();
			assertThat(s.counting().cacheNull("o2")).isNull();
			assertThat(s.counting().invocations()).isEqualTo(2);
		});
	}

	@Test
	void syncCacheableReturnsTheCachedResult() {
		withServices((s) -> {
			String r1 = s.counting().cacheSync("o1");

			assertThat(s.counting().cacheSync("o1")).isEqualTo(r1);
			assertThat(s.counting().cacheSync("o1")).isEqualTo(r1);
			assertThat(s.counting().invocations()).isEqualTo(1);
		});
	}

	@Test
	void syncCacheableCachesANullResult() {
		withServices((s) -> {
			assertThat(s.counting().cacheSyncNull("o1")).isNull();
			assertThat(s.counting().cacheSyncNull("o1")).isNull();

			assertThat(s.counting().invocations()).isEqualTo(1);
			assertThat(s.cache("testCache").get("o1")).as("cached null").isNotNull();
			assertThat(s.cache("testCache").get("o1").get()).isNull();
		});
	}

	@Test
	void cacheableLongResultIsServedAsLong() {
		withServices((s) -> {
			Long first = s.counting().cacheLong("o1");

			Object second = s.counting().cacheLong("o1");

			assertThat(second).isInstanceOf(Long.class).isEqualTo(first);
			assertThat(s.counting().invocations()).isEqualTo(1);
		});
	}

	@Test
	void cacheEvictRemovesTheKeyAndTheNextReadReloadsAndCachesIt() {
		withServices((s) -> {
			Cache cache = s.cache("testCache");
			cache.putIfAbsent("o1", "seeded");
			String r1 = s.counting().cache("o1");
			assertThat(r1).isEqualTo("seeded");

			s.counting().evict("o1", null);

			assertThat(cache.get("o1")).isNull();
			String r2 = s.counting().cache("o1");
			assertThat(r2).isNotEqualTo(r1);
			assertThat(s.counting().cache("o1")).as("the reload is cached").isEqualTo(r2);
		});
	}

	@Test
	void cacheEvictIsSkippedWhenTheMethodThrows() {
		withServices((s) -> {
			String r1 = s.counting().cache("o1");

			assertThatIllegalStateException().isThrownBy(() -> s.counting().evictWithException("o1"));

			assertThat(s.counting().cache("o1")).isEqualTo(r1);
		});
	}

	@Test
	void cacheEvictBeforeInvocationHappensEvenWhenTheMethodThrows() {
		withServices((s) -> {
			Cache cache = s.cache("testCache");
			cache.putIfAbsent("o1", "seeded");
			String r1 = s.counting().cache("o1");

			assertThatIllegalStateException().isThrownBy(() -> s.counting().evictEarly("o1"));

			assertThat(cache.get("o1")).isNull();
			assertThat(s.counting().cache("o1")).isNotEqualTo(r1);
		});
	}

	@Test
	void cacheEvictAllEntriesEmptiesTheCache() {
		withServices((s) -> {
			Cache cache = s.cache("testCache");
			cache.putIfAbsent("o1", "seeded-1");
			cache.putIfAbsent("o2", "seeded-2");
			String r1 = s.counting().cache("o1");
			String r2 = s.counting().cache("o2");
			assertThat(r2).isNotEqualTo(r1);

			s.counting().evictAll("other");

			assertThat(cache.get("o1")).isNull();
			assertThat(cache.get("o2")).isNull();
			assertThat(s.counting().cache("o1")).isNotEqualTo(r1);
			assertThat(s.counting().cache("o2")).isNotEqualTo(r2);
		});
	}

	@Test
	void cacheEvictAllEntriesBeforeInvocationHappensEvenWhenTheMethodThrows() {
		withServices((s) -> {
			Cache cache = s.cache("testCache");
			cache.putIfAbsent("o1", "seeded-1");
			cache.putIfAbsent("o2", "seeded-2");
			String r1 = s.counting().cache("o1");
			String r2 = s.counting().cache("o2");

			assertThatIllegalStateException().isThrownBy(() -> s.counting().evictAllEarly("other"));

			assertThat(cache.get("o1")).isNull();
			assertThat(cache.get("o2")).isNull();
			assertThat(s.counting().cache("o1")).isNotEqualTo(r1);
			assertThat(s.counting().cache("o2")).isNotEqualTo(r2);
		});
	}

	@Test
	void conditionFalseBypassesTheCache() {
		withServices((s) -> {
			assertThat(s.counting().conditional(4)).isNotEqualTo(s.counting().conditional(4));
			String r3 = s.counting().conditional(3);
			assertThat(s.counting().conditional(3)).isEqualTo(r3);
		});
	}

	@Test
	void syncConditionFalseBypassesTheCache() {
		withServices((s) -> {
			assertThat(s.counting().conditionalSync(4)).isNotEqualTo(s.counting().conditionalSync(4));
			String r3 = s.counting().conditionalSync(3);
			assertThat(s.counting().conditionalSync(3)).isEqualTo(r3);
		});
	}

	@Test
	void unlessTrueKeepsTheResultOutOfTheCache() {
		withServices((s) -> {
			Cache cache = s.cache("testCache");

			s.counting().unless("keep");
			s.counting().unless("skip-me");

			assertThat(cache.get("keep")).isNotNull();
			assertThat(cache.get("keep").get()).isEqualTo("keep");
			assertThat(cache.get("skip-me")).isNull();
			s.counting().unless("keep");
			s.counting().unless("skip-me");
			assertThat(s.counting().invocations()).isEqualTo(3);
		});
	}

	@Test
	void keyExpressionSelectsTheKey() {
		withServices((s) -> {
			assertThat(s.counting().key(5, 1)).isEqualTo(s.counting().key(5, 2));
			assertThat(s.counting().key(1, 5)).isNotEqualTo(s.counting().key(2, 5));
		});
	}

	@Test
	void varArgsFormOneKey() {
		withServices((s) -> {
			String r1 = s.counting().varArgsKey(1, 2, 3);
			assertThat(s.counting().varArgsKey(1, 2, 3)).isEqualTo(r1);
			assertThat(s.counting().varArgsKey(1, 2)).isNotEqualTo(r1);
		});
	}

	@Test
	void nullArgumentIsAKey() {
		withServices((s) -> {
			String r1 = s.counting().cache(null);
			assertThat(s.counting().cache(null)).isEqualTo(r1);
		});
	}

	@Test
	void customKeyGeneratorMakesTheKey() {
		withServices((s) -> {
			String r1 = s.counting().customKeyGenerator("x");

			assertThat(s.counting().customKeyGenerator("x")).isEqualTo(r1);
			ValueWrapper stored = s.cache("testCache").get("generated:customKeyGenerator:[x]");
			assertThat(stored).isNotNull();
			assertThat(stored.get()).isEqualTo(r1);
		});
	}

	@Test
	void checkedExceptionReachesTheCallerAndNothingIsCached() {
		withServices((s) -> {
			assertThatIOException().isThrownBy(() -> s.counting().throwChecked("arg")).withMessage("arg");
			assertThat(s.cache("testCache").get("arg")).isNull();
		});
	}

	@Test
	void uncheckedExceptionReachesTheCallerAndNothingIsCached() {
		withServices((s) -> {
			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> s.counting().throwUnchecked("arg"))
				.withMessage("arg");
			assertThat(s.cache("testCache").get("arg")).isNull();
		});
	}

	@Test
	void syncCheckedExceptionReachesTheCallerAndNothingIsCached() {
		withServices((s) -> {
			assertThatIOException().isThrownBy(() -> s.counting().throwCheckedSync("arg")).withMessage("arg");
			assertThat(s.cache("testCache").get("arg")).isNull();
		});
	}

	@Test
	void syncUncheckedExceptionReachesTheCallerAndNothingIsCached() {
		withServices((s) -> {
			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> s.counting().throwUncheckedSync("arg"))
				.withMessage("arg");
			assertThat(s.cache("testCache").get("arg")).isNull();
		});
	}

	@Test
	void cachePutStoresTheResult() {
		withServices((s) -> {
			Cache cache = s.cache("testCache");
			assertThat(cache.get("o1")).isNull();

			String r1 = s.counting().update("o1");
			assertThat(cache.get("o1")).isNotNull();
			assertThat(cache.get("o1").get()).isEqualTo(r1);

			String r2 = s.counting().update("o1");
			assertThat(cache.get("o1").get()).as("each @CachePut replaces the entry").isEqualTo(r2);
		});
	}

	@Test
	void cachePutThenCacheableReturnsThePutValue() {
		withServices((s) -> {
			String put = s.counting().update("o1");

			assertThat(s.counting().cache("o1")).isEqualTo(put);
			assertThat(s.counting().invocations()).as("@Cacheable did not invoke the method").isEqualTo(1);
		});
	}

	@Test
	void cachePutRightAfterCacheEvictIsReadBack() {
		withServices((s) -> {
			List<String> put = new ArrayList<>();
			for (int round = 0; round < ROUNDS; round++) {
				s.counting().cache("key-" + round);
				s.counting().evict("key-" + round, null);
				put.add(s.counting().update("key-" + round));
			}

			Cache cache = s.cache("testCache");
			await().atMost(PUT_VISIBLE_WITHIN).untilAsserted(() -> {
				List<Integer> lost = new ArrayList<>();
				for (int round = 0; round < ROUNDS; round++) {
					ValueWrapper found = cache.get("key-" + round);
					if (found == null || !Objects.equals(found.get(), put.get(round))) {
						lost.add(round);
					}
				}
				assertThat(lost).as("rounds (of %d) whose @CachePut right after @CacheEvict is not visible", ROUNDS)
					.isEmpty();
			});
			assertThat(s.counting().cache("key-0")).isEqualTo(put.get(0));
		});
	}

	@Test
	void conditionalCachePutStoresOnlyWhenTheConditionHolds() {
		withServices((s) -> {
			Cache cache = s.cache("testCache");

			assertThat(s.counting().conditionalUpdate(1)).isEqualTo("updated-1");
			assertThat(cache.get(1)).isNull();

			assertThat(s.counting().conditionalUpdate(3)).isEqualTo("updated-3");
			assertThat(cache.get(3)).isNotNull();
			assertThat(cache.get(3).get()).isEqualTo("updated-3");
		});
	}

	@Test
	void cachePutKeyMayReferToTheResult() {
		withServices((s) -> {
			Cache primary = s.cache("primary");
			assertThat(primary.get("assigned")).isNull();

			Entity stored = s.counting().putRefersToResult(new Entity(null, 7));

			assertThat(primary.get("assigned")).isNotNull();
			assertThat(primary.get("assigned").get()).isEqualTo(stored).isEqualTo(new Entity("assigned", 7));
		});
	}

	@Test
	void cachePutEvaluatesUnlessBeforeTheKey() {
		withServices((s) -> {
			Cache primary = s.cache("primary");

			assertThat(s.counting().putEvaluatesUnlessBeforeKey(new Entity(null, 1))).isNull();

			Entity entity = new Entity("42", 2);
			assertThat(s.counting().putEvaluatesUnlessBeforeKey(entity)).isEqualTo(entity);
			assertThat(primary.get("42")).isNotNull();
			assertThat(primary.get("42").get()).isEqualTo(entity);
		});
	}

	@Test
	void cachingCacheableStoresInEveryCache() {
		withServices((s) -> {
			Cache primary = s.cache("primary");
			Cache secondary = s.cache("secondary");
			assertThat(primary.get("o1")).isNull();
			assertThat(secondary.get("o1")).isNull();

			String r1 = s.counting().multiCache("o1");

			assertThat(primary.get("o1").get()).isEqualTo(r1);
			assertThat(secondary.get("o1").get()).isEqualTo(r1);
			assertThat(s.counting().multiCache("o1")).isEqualTo(r1);
			assertThat(s.counting().multiCache("o1")).isEqualTo(r1);
			String r4 = s.counting().multiCache("o2");
			assertThat(r4).isNotEqualTo(r1);
			assertThat(primary.get("o2").get()).isEqualTo(r4);
			assertThat(secondary.get("o2").get()).isEqualTo(r4);
		});
	}

	@Test
	void cachingEvictRemovesFromEveryCacheAndTheReloadIsCachedAgain() {
		withServices((s) -> {
			Cache primary = s.cache("primary");
			Cache secondary = s.cache("secondary");
			String r1 = s.counting().multiCache("o1");
			primary.put("o1A", "o1A");
			assertThat(primary.get("o1").get()).isEqualTo(r1);
			assertThat(secondary.get("o1").get()).isEqualTo(r1);

			s.counting().multiEvict("o1");

			assertThat(primary.get("o1")).isNull();
			assertThat(secondary.get("o1")).isNull();
			assertThat(primary.get("o1A")).isNull();
			String r3 = s.counting().multiCache("o1");
			assertThat(r3).isNotEqualTo(r1);
			assertThat(s.counting().multiCache("o1")).as("the reload after the evict is cached").isEqualTo(r3);
			assertThat(primary.get("o1")).isNotNull();
			assertThat(primary.get("o1").get()).isEqualTo(r3);
			assertThat(secondary.get("o1")).isNotNull();
			assertThat(secondary.get("o1").get()).isEqualTo(r3);
		});
	}

	@Test
	void cachingPutStoresInEveryCache() {
		withServices((s) -> {
			Cache primary = s.cache("primary");
			Cache secondary = s.cache("secondary");

			String r1 = s.counting().multiUpdate(1);
			String r2 = s.counting().multiUpdate(2);

			assertThat(primary.get(1).get()).isEqualTo(r1);
			assertThat(secondary.get(1).get()).isEqualTo(r1);
			assertThat(primary.get(2).get()).isEqualTo(r2);
			assertThat(secondary.get(2).get()).isEqualTo(r2);
		});
	}

	@Test
	void cachingCombinesCacheableAndEvict() {
		withServices((s) -> {
			Cache primary = s.cache("primary");
			Cache secondary = s.cache("secondary");
			secondary.put(1, "one");
			assertThat(secondary.get("multiCacheAndEvict")).isNull();
			assertThat(secondary.get(1).get()).isEqualTo("one");

			String r1 = s.counting().multiCacheAndEvict(1);

			assertThat(s.counting().multiCacheAndEvict(1)).isEqualTo(r1);
			assertThat(primary.get("multiCacheAndEvict").get()).as("the key is the method name").isEqualTo(r1);
			assertThat(secondary.get("multiCacheAndEvict")).isNull();
			assertThat(secondary.get(1)).isNull();
		});
	}

	@Test
	void cachingCombinesConditionalCacheableAndEvict() {
		withServices((s) -> {
			Cache primary = s.cache("primary");
			Cache secondary = s.cache("secondary");
			secondary.put(1, "one");

			String r1 = s.counting().multiConditionalCacheAndEvict(1);
			assertThat(s.counting().multiConditionalCacheAndEvict(1)).isNotEqualTo(r1);
			assertThat(primary.get(1)).isNull();

			String r2 = s.counting().multiConditionalCacheAndEvict(3);
			assertThat(s.counting().multiConditionalCacheAndEvict(3)).isEqualTo(r2);
			assertThat(primary.get(3).get()).isEqualTo(r2);
			assertThat(secondary.get(3)).isNull();
		});
	}

	@Test
	void classLevelCacheConfigNamesTheCacheOfCacheableAndCachePut() {
		withServices((s) -> {
			Cache configured = s.cache("configured");
			String r1 = s.configured().read("a");

			assertThat(s.configured().read("a")).isEqualTo(r1);
			assertThat(configured.get("a").get()).isEqualTo(r1);

			s.configured().write("b", "written");
			assertThat(configured.get("b").get()).isEqualTo("written");
			assertThat(s.configured().read("b")).isEqualTo("written");
		});
	}

	@Test
	void classLevelCacheConfigNamesTheCacheOfCacheEvict() {
		withServices((s) -> {
			Cache configured = s.cache("configured");
			String a = s.configured().read("a");
			String b = s.configured().read("b");

			s.configured().remove("a");

			assertThat(configured.get("a")).isNull();
			assertThat(configured.get("b").get()).isEqualTo(b);
			assertThat(s.configured().read("a")).isNotEqualTo(a);

			s.configured().removeAll();

			assertThat(configured.get("a")).isNull();
			assertThat(configured.get("b")).isNull();
		});
	}

	@Test
	void cacheableOptionalIsCachedUnwrapped() {
		withServices((s) -> {
			Cache items = s.cache("items");
			Entity tb = new Entity("tb1", 100);
			s.items().insertItem(tb);

			assertThat(s.items().findById("tb1")).contains(tb);
			assertThat(items.get("tb1").get()).isEqualTo(tb);

			items.clear();
			Entity tb2 = s.items().findById("tb1").orElseThrow();
			assertThat(tb2).isNotEqualTo(tb);
			assertThat(items.get("tb1")).as("the reload after clear is cached").isNotNull();
			assertThat(items.get("tb1").get()).isEqualTo(tb2);
		});
	}

	@Test
	void syncCacheableOptionalIsCachedUnwrapped() {
		withServices((s) -> {
			Cache items = s.cache("itemsSync");
			Entity tb = new Entity("tb1", 100);
			s.items().insertItem(tb);

			assertThat(s.items().findByIdSync("tb1")).contains(tb);
			assertThat(items.get("tb1").get()).isEqualTo(tb);

			items.clear();
			Entity tb2 = s.items().findByIdSync("tb1").orElseThrow();
			assertThat(tb2).isNotEqualTo(tb);
			assertThat(items.get("tb1")).as("the reload after clear is cached").isNotNull();
			assertThat(items.get("tb1").get()).isEqualTo(tb2);
		});
	}

	@Test
	void cacheableFutureIsServedFromTheCache() {
		withServices((s) -> {
			Entity tb = join(s.items().findFutureById("tb1"));

			assertThat(tb).isNotNull();
			assertThat(join(s.items().findFutureById("tb1"))).isEqualTo(tb);
			assertThat(s.cache("futures").get("tb1").get()).isEqualTo(tb);
		});
	}

	@Test
	void cacheableFutureReloadsAfterEvictAllAndCachesTheReload() {
		withServices((s) -> {
			Entity tb = join(s.items().findFutureById("tb1"));

			join(s.items().clearFutures());

			Entity tb2 = join(s.items().findFutureById("tb1"));
			assertThat(tb2).isNotNull().isNotEqualTo(tb);
			assertThat(s.cache("futures").get("tb1")).as("the reload after the evict is cached").isNotNull();
			assertThat(s.cache("futures").get("tb1").get()).isEqualTo(tb2);
			assertThat(join(s.items().findFutureById("tb1"))).isEqualTo(tb2);
		});
	}

	@Test
	void cachePutFutureThenCacheableFutureReturnsThePutValue() {
		withServices((s) -> {
			Entity tb = new Entity("tb1", 100);

			join(s.items().insertFutureItem(tb));

			assertThat(join(s.items().findFutureById("tb1"))).isEqualTo(tb);
			assertThat(s.cache("futures").get("tb1").get()).isEqualTo(tb);
		});
	}

	@Test
	void cacheableFutureUnlessKeepsTheResultOutOfTheCache() {
		withServices((s) -> {
			Entity tb = join(s.items().findFutureById("tb2"));

			assertThat(tb).isNotNull();
			assertThat(join(s.items().findFutureById("tb2"))).isNotEqualTo(tb);
			assertThat(s.cache("futures").get("tb2")).isNull();
		});
	}

	@Test
	void cacheableFutureCachesANullResult() {
		withServices((s) -> {
			assertThat(join(s.items().findFutureByIdEmpty(""))).isNull();

			assertThat(s.cache("futures").get("")).as("cached null").isNotNull();
			assertThat(s.cache("futures").get("").get()).isNull();
			assertThat(join(s.items().findFutureByIdEmpty(""))).isNull();
			assertThat(s.items().emptyCalls()).isEqualTo(1);
		});
	}

	@Test
	void syncCacheableFutureIsServedFromTheCache() {
		withServices((s) -> {
			Entity tb = join(s.items().findFutureByIdSync("tb1"));

			assertThat(tb).isNotNull();
			assertThat(join(s.items().findFutureByIdSync("tb1"))).isEqualTo(tb);
			assertThat(s.cache("futuresSync").get("tb1").get()).isEqualTo(tb);
		});
	}

	@Test
	void syncCacheableFutureReloadsAfterClearAndCachesTheReload() {
		withServices((s) -> {
			Cache cache = s.cache("futuresSync");
			Entity tb = join(s.items().findFutureByIdSync("tb1"));

			cache.clear();

			Entity tb2 = join(s.items().findFutureByIdSync("tb1"));
			assertThat(tb2).isNotNull().isNotEqualTo(tb);
			assertThat(cache.get("tb1")).as("the reload after clear is cached").isNotNull();
			assertThat(cache.get("tb1").get()).isEqualTo(tb2);
		});
	}

	@Test
	void syncCacheableFutureCachesANullResult() {
		withServices((s) -> {
			assertThat(join(s.items().findFutureByIdSync(""))).isNull();

			assertThat(s.cache("futuresSync").get("")).as("cached null").isNotNull();
			assertThat(s.cache("futuresSync").get("").get()).isNull();
			assertThat(join(s.items().findFutureByIdSync(""))).isNull();
			assertThat(s.items().emptyCalls()).isEqualTo(1);
		});
	}

	private static <T> T join(CompletableFuture<T> future) throws Exception {
		return future.get(10, TimeUnit.SECONDS);
	}

	private void withServices(ServicesTest test) {
		contexts().run((context) -> {
			assertThat(context).hasNotFailed();
			test.run(new Services(context));
		});
	}

	/**
	 * The services and caches of one application context.
	 */
	record Services(ApplicationContext context) {

		CountingService counting() {
			return this.context.getBean(CountingService.class);
		}

		ConfiguredService configured() {
			return this.context.getBean(ConfiguredService.class);
		}

		ItemService items() {
			return this.context.getBean(ItemService.class);
		}

		Cache cache(String name) {
			return this.context.getBean(CacheManager.class).getCache(name);
		}

	}

	@FunctionalInterface
	interface ServicesTest {

		void run(Services services) throws Exception;

	}

}
