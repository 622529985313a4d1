package io.github.cachetags.cache;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * A {@link TagAwareCache} as one method invocation sees it: its writes carry that invocation's tags and load
 * start. Created per invocation by the cache resolver; not shared between threads.
 */
public final class TaggedCacheView implements Cache {

	private final TagAwareCache cache;

	private final EntryTags tags;

	public TaggedCacheView(TagAwareCache cache, EntryTags tags) {
		this.cache = cache;
		this.tags = tags;
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
		return this.cache.get(key);
	}

	@Override
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		return this.cache.get(key, type);
	}

	@Override
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		return this.cache.get(key, valueLoader, this.tags);
	}

	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return this.cache.retrieve(key);
	}

	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return this.cache.retrieve(key, valueLoader, this.tags);
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		this.cache.put(key, value, this.tags);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		ValueWrapper existing = this.cache.get(key);
		if (existing == null) {
			put(key, value);
		}
		return existing;
	}

	@Override
	public void evict(Object key) {
		this.cache.evict(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		return this.cache.evictIfPresent(key);
	}

	@Override
	public void clear() {
		this.cache.clear();
	}

	@Override
	public boolean invalidate() {
		return this.cache.invalidate();
	}

}
