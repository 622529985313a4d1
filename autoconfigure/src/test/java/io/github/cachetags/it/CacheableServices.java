package io.github.cachetags.it;

import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.annotation.CacheConfig;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Services annotated the way Spring Framework's cache annotation tests annotate theirs ({@code
 * DefaultCacheableService}, {@code CacheReproTests}). Every invocation returns a value no earlier invocation
 * returned, so a cached result is told from a fresh one by equality; values are {@link Serializable} for the JDK
 * serializer.
 */
public final class CacheableServices {

	static final String KEY_GENERATOR = "conformanceKeyGenerator";

	private CacheableServices() {
	}

	/**
	 * A value with an identity and a version, like the {@code TestBean}/{@code TestEntity} of Spring's tests.
	 */
	public record Entity(@Nullable String id, long version) implements Serializable {
	}

	/**
	 * Method-level annotations on caches {@code testCache}, {@code primary} and {@code secondary}.
	 */
	public static class CountingService {

		private final AtomicLong counter = new AtomicLong();

		private final AtomicInteger invocations = new AtomicInteger();

		public int invocations() {
			return this.invocations.get();
		}

		private String next() {
			this.invocations.incrementAndGet();
			return "r" + this.counter.getAndIncrement();
		}

		@Cacheable("testCache")
		public String cache(@Nullable Object arg) {
			return next();
		}

		@Cacheable("testCache")
		public @Nullable String cacheNull(Object arg) {
			this.invocations.incrementAndGet();
			return null;
		}

		@Cacheable(cacheNames = "testCache", sync = true)
		public String cacheSync(Object arg) {
			return next();
		}

		@Cacheable(cacheNames = "testCache", sync = true)
		public @Nullable String cacheSyncNull(Object arg) {
			this.invocations.incrementAndGet();
			return null;
		}

		@Cacheable("testCache")
		public Long cacheLong(Object arg) {
			this.invocations.incrementAndGet();
			return 1_000L + this.counter.getAndIncrement();
		}

		@CacheEvict(cacheNames = "testCache", key = "#p0")
		public void evict(Object arg1, @Nullable Object arg2) {
		}

		@CacheEvict("testCache")
		public void evictWithException(Object arg) {
			throw new IllegalStateException("exception thrown - evict should NOT occur");
		}

		@CacheEvict(cacheNames = "testCache", beforeInvocation = true)
		public void evictEarly(Object arg) {
			throw new IllegalStateException("exception thrown - evict should still occur");
		}

		@CacheEvict(cacheNames = "testCache", allEntries = true)
		public void evictAll(Object arg) {
		}

		@CacheEvict(cacheNames = "testCache", allEntries = true, beforeInvocation = true)
		public void evictAllEarly(Object arg) {
			throw new IllegalStateException("exception thrown - evict should still occur");
		}

		@Cacheable(cacheNames = "testCache", condition = "#p0 == 3")
		public String conditional(int arg) {
			return next();
		}

		@Cacheable(cacheNames = "testCache", sync = true, condition = "#p0 == 3")
		public String conditionalSync(int arg) {
			return next();
		}

		@Cacheable(cacheNames = "testCache", unless = "#result.startsWith('skip')")
		public String unless(String arg) {
			this.invocations.incrementAndGet();
			return arg;
		}

		@Cacheable(cacheNames = "testCache", key = "#p0")
		public String key(Object arg1, Object arg2) {
			return next();
		}

		@Cacheable("testCache")
		public String varArgsKey(Object... args) {
			return next();
		}

		@Cacheable(cacheNames = "testCache", keyGenerator = KEY_GENERATOR)
		public String customKeyGenerator(Object arg) {
			return next();
		}

		@Cacheable("testCache")
		public String throwChecked(Object arg) throws IOException {
			throw new IOException(arg.toString());
		}

		@Cacheable("testCache")
		public String throwUnchecked(Object arg) {
			throw new UnsupportedOperationException(arg.toString());
		}

		@Cacheable(cacheNames = "testCache", sync = true)
		public String throwCheckedSync(Object arg) throws IOException {
			throw new IOException(arg.toString());
		}

		@Cacheable(cacheNames = "testCache", sync = true)
		public String throwUncheckedSync(Object arg) {
			throw new UnsupportedOperationException(arg.toString());
		}

		@CachePut("testCache")
		public String update(Object arg) {
			return next();
		}

		@CachePut(cacheNames = "testCache", condition = "#arg.equals(3)")
		public String conditionalUpdate(Object arg) {
			return "updated-" + arg;
		}

		@Caching(cacheable = { @Cacheable("primary"), @Cacheable("secondary") })
		public String multiCache(Object arg) {
			return next();
		}

		@Caching(evict = { @CacheEvict("primary"), @CacheEvict(cacheNames = "secondary", key = "#p0"),
				@CacheEvict(cacheNames = "primary", key = "#p0 + 'A'") })
		public String multiEvict(Object arg) {
			return next();
		}

		@Caching(cacheable = @Cacheable(cacheNames = "primary", key = "#root.methodName"),
				evict = @CacheEvict("secondary"))
		public String multiCacheAndEvict(Object arg) {
			return next();
		}

		@Caching(cacheable = @Cacheable(cacheNames = "primary", condition = "#p0 == 3"),
				evict = @CacheEvict("secondary"))
		public String multiConditionalCacheAndEvict(Object arg) {
			return next();
		}

		@Caching(put = { @CachePut("primary"), @CachePut("secondary") })
		public String multiUpdate(Object arg) {
			return "updated-" + arg;
		}

		@CachePut(cacheNames = "primary", key = "#result.id()")
		public Entity putRefersToResult(Entity entity) {
			return new Entity("assigned", entity.version());
		}

		@CachePut(cacheNames = "primary", key = "#result.id()", unless = "#result == null")
		public @Nullable Entity putEvaluatesUnlessBeforeKey(Entity entity) {
			return (entity.id() != null) ? entity : null;
		}

	}

	/**
	 * Cache name from a class-level {@link CacheConfig}.
	 */
	@CacheConfig(cacheNames = "configured")
	public static class ConfiguredService {

		private final AtomicLong counter = new AtomicLong();

		@Cacheable
		public String read(String id) {
			return id + "-" + this.counter.getAndIncrement();
		}

		@CachePut(key = "#id")
		public String write(String id, String value) {
			return value;
		}

		@CacheEvict
		public void remove(String id) {
		}

		@CacheEvict(allEntries = true)
		public void removeAll() {
		}

	}

	/**
	 * {@link Optional} and {@link CompletableFuture} results, as in {@code CacheReproTests} (SPR-14230, SPR-14853,
	 * SPR-14235).
	 */
	public static class ItemService {

		private final AtomicLong versions = new AtomicLong();

		private final AtomicInteger emptyCalls = new AtomicInteger();

		public int emptyCalls() {
			return this.emptyCalls.get();
		}

		private Entity next(String id) {
			return new Entity(id, this.versions.incrementAndGet());
		}

		@Cacheable("items")
		public Optional<Entity> findById(String id) {
			return Optional.of(next(id));
		}

		@Cacheable(cacheNames = "itemsSync", sync = true)
		public Optional<Entity> findByIdSync(String id) {
			return Optional.of(next(id));
		}

		@CachePut(cacheNames = { "items", "itemsSync" }, key = "#item.id()")
		public Entity insertItem(Entity item) {
			return item;
		}

		@Cacheable(cacheNames = "futures", unless = "#result.id() == 'tb2'")
		public CompletableFuture<Entity> findFutureById(String id) {
			return CompletableFuture.completedFuture(next(id));
		}

		@Cacheable("futures")
		public CompletableFuture<@Nullable Entity> findFutureByIdEmpty(String id) {
			this.emptyCalls.incrementAndGet();
			return CompletableFuture.completedFuture(null);
		}

		@CachePut(cacheNames = "futures", key = "#item.id()")
		public CompletableFuture<Entity> insertFutureItem(Entity item) {
			return CompletableFuture.completedFuture(item);
		}

		@CacheEvict(cacheNames = "futures", allEntries = true, condition = "#result > 0")
		public CompletableFuture<Integer> clearFutures() {
			return CompletableFuture.completedFuture(1);
		}

		@Cacheable(cacheNames = "futuresSync", sync = true)
		public CompletableFuture<@Nullable Entity> findFutureByIdSync(String id) {
			if (id.isEmpty()) {
				this.emptyCalls.incrementAndGet();
				return CompletableFuture.completedFuture(null);
			}
			return CompletableFuture.completedFuture(next(id));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class ServicesConfiguration {

		@Bean
		CountingService countingService() {
			return new CountingService();
		}

		@Bean
		ConfiguredService configuredService() {
			return new ConfiguredService();
		}

		@Bean
		ItemService itemService() {
			return new ItemService();
		}

		@Bean(KEY_GENERATOR)
		KeyGenerator conformanceKeyGenerator() {
			return (target, method, params) -> "generated:" + method.getName() + ":" + Arrays.toString(params);
		}

	}

}
