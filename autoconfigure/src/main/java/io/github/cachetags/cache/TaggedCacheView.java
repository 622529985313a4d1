package io.github.cachetags.cache;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.github.cachetags.store.LoadStart;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * A {@link TagAwareCache} as one method invocation sees it: its writes carry that invocation's tags and load start,
 * and its changes follow the invocation's transaction. Created per invocation by the cache resolver; not shared
 * between threads.
 * <p>
 * For {@code @Cacheable}, a value put after a miss is a load, stored under the load start that miss read. For
 * {@code @CachePut} a put is a replacing write. Inside a transaction, puts, {@code evict} and {@code clear} take
 * effect after it completes (as with Spring's {@code TransactionAwareCacheDecorator}): on commit as asked; on
 * rollback a replacing put still removes the key, and an eviction or clear still runs, because an inner
 * transaction may have committed the change they stand for. {@code evictIfPresent} and {@code invalidate} act at
 * once. The tenant is resolved when the view is made, on the caller's thread, so that a put or eviction made when
 * an asynchronous method completes, on another thread, still applies to the caller's tenant.
 */
public final class TaggedCacheView implements Cache {

	private final TagAwareCache cache;

	private final EntryTags tags;

	private final boolean replacing;

	private final Deferral deferral;

	private final @Nullable Class<?> declaredType;

	private final String tenant;

	private @Nullable Object missedKey;

	private LoadStart missStart = LoadStart.UNKNOWN;

	/**
	 * @param cache the cache
	 * @param tags the invocation's tags and load start
	 * @param replacing whether a put replaces the entry ({@code @CachePut}) rather than stores a load
	 * @param deferral when changes made inside a transaction take effect
	 * @param declaredType the type a cached value must have to be returned (the method's return type), or
	 * {@code null} to return any; a cached value of another type is removed and read as a miss
	 */
	public TaggedCacheView(TagAwareCache cache, EntryTags tags, boolean replacing, Deferral deferral,
			@Nullable Class<?> declaredType) {
		this.cache = cache;
		this.tags = tags;
		this.replacing = replacing;
		this.deferral = deferral;
		this.declaredType = declaredType;
		this.tenant = cache.currentTenant();
	}

	TagAwareCache target() {
		return this.cache;
	}

	@Override
	public String getName() {
		return this.cache.getName();
	}

	@Override
	public Object getNativeCache() {
		return this.cache.getNativeCache();
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		ValueWrapper found = this.cache.get(key, (start) -> missed(key, start));
		if (found != null && mistyped(key, found.get())) {
			return this.cache.get(key, (start) -> missed(key, start));
		}
		return found;
	}

	private boolean mistyped(Object key, @Nullable Object value) {
		if (value == null || this.declaredType == null || this.declaredType.isInstance(value)) {
			return false;
		}
		this.cache.discardMistyped(key, this.declaredType, value);
		return true;
	}

	@Override
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		return this.cache.get(key, type);
	}

	@Override
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		TagAwareCache.Target target = this.cache.target(key, this.tenant);
		T value = this.cache.get(target, key, valueLoader, this.tags);
		if (mistyped(key, value)) {
			return this.cache.get(target, key, valueLoader, this.tags);
		}
		return value;
	}

	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return this.cache.retrieve(key, (start) -> missed(key, start));
	}

	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return this.cache.retrieve(key, valueLoader, this.tags);
	}

	private synchronized void missed(Object key, LoadStart start) {
		this.missedKey = key;
		this.missStart = start;
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		TagAwareCache.Target target = this.cache.target(key, this.tenant);
		if (this.replacing) {
			this.deferral.afterTransaction(() -> this.cache.put(target, value, this.tags),
					() -> this.cache.evictIfPresent(target));
			return;
		}
		LoadStart start;
		synchronized (this) {
			start = key.equals(this.missedKey) ? this.missStart : LoadStart.UNKNOWN;
		}
		this.deferral.afterTransaction(() -> this.cache.putLoaded(target, value, this.tags, start), () -> {
		});
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		return this.cache.putIfAbsent(key, value, this.tags);
	}

	@Override
	public void evict(Object key) {
		TagAwareCache.Target target = this.cache.target(key, this.tenant);
		this.deferral.afterTransaction(() -> this.cache.evictIfPresent(target),
				() -> this.cache.evictIfPresent(target));
	}

	@Override
	public boolean evictIfPresent(Object key) {
		return this.cache.evictIfPresent(this.cache.target(key, this.tenant));
	}

	@Override
	public void clear() {
		this.deferral.afterTransaction(() -> this.cache.invalidate(this.tenant),
				() -> this.cache.invalidate(this.tenant));
	}

	@Override
	public boolean invalidate() {
		return this.cache.invalidate(this.tenant);
	}

}
