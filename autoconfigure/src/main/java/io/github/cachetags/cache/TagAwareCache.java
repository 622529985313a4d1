package io.github.cachetags.cache;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.tags.Tags;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * A Spring {@link Cache} on Redis whose entries carry tags.
 * <p>
 * A hit is one script call that returns the value only if none of the entry's tags, nor the cache, has been
 * purged since it was stored. A write stores the value only if no purge, clear or eviction of its key happened
 * after its load began (the stale-set race). Reads and writes never throw for Redis trouble: a failed read is a
 * miss and a failed write is dropped, both logged and counted, and Redis is skipped for a short interval after a
 * failure. {@link #evict}, {@link #clear} and purges do throw, because a lost invalidation must be heard of; the
 * error handler CacheTags wires logs them without failing the annotated method.
 */
public class TagAwareCache implements Cache {

	private static final byte[] NULL_VALUE = new byte[0];

	private final CacheLayout layout;

	private final CacheSettings settings;

	private final CacheInfrastructure infrastructure;

	private final CacheStatistics statistics = new CacheStatistics();

	private final Set<String> tenantsWithWatermarks = ConcurrentHashMap.newKeySet();

	TagAwareCache(String name, CacheSettings settings, CacheInfrastructure infrastructure) {
		this.layout = new CacheLayout(name, settings.version(), settings.shards());
		this.settings = settings;
		this.infrastructure = infrastructure;
	}

	@Override
	public String getName() {
		return this.layout.name();
	}

	@Override
	public RedisTagStore getNativeCache() {
		return this.infrastructure.store();
	}

	public CacheSettings getSettings() {
		return this.settings;
	}

	public CacheStatistics getStatistics() {
		return this.statistics;
	}

	CacheLayout layout() {
		return this.layout;
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		Target target = target(key);
		ValueWrapper found = read(target, lookup(target));
		count(found);
		return found;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		ValueWrapper found = get(key);
		Object value = (found != null) ? found.get() : null;
		if (value != null && type != null && !type.isInstance(value)) {
			throw new IllegalStateException(
					"Cached value is not of required type [" + type.getName() + "]: " + value);
		}
		return (T) value;
	}

	@Override
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		return get(key, valueLoader, EntryTags.NONE);
	}

	/**
	 * Returns the cached value, or loads, tags and stores it.
	 */
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader, EntryTags tags) {
		Target target = target(key);
		Lookup lookup = lookup(target);
		ValueWrapper found = read(target, lookup);
		count(found);
		if (found != null) {
			return (T) found.get();
		}
		long missedAt = (lookup instanceof Lookup.Miss miss) ? miss.redisMicros() : 0;
		long loadStart = Math.min(missedAt, tags.loadStartMicros());
		T value;
		long loadStarted = this.infrastructure.nanoTime();
		try {
			value = valueLoader.call();
			this.statistics.load(true, this.infrastructure.nanoTime() - loadStarted);
		}
		catch (Exception ex) {
			this.statistics.load(false, this.infrastructure.nanoTime() - loadStarted);
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
		if (value != null || this.settings.cacheNullValues()) {
			try {
				write(target, value, tags, loadStart);
			}
			catch (RuntimeException ex) {
				this.infrastructure.failed(this, "store a loaded value", ex);
			}
		}
		return value;
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		put(key, value, EntryTags.NONE);
	}

	/**
	 * Stores a value with tags.
	 * @throws IllegalArgumentException if the value is {@code null} and the cache does not store nulls, or the
	 * tags are invalid; Redis errors are not thrown
	 */
	public void put(Object key, @Nullable Object value, EntryTags tags) {
		if (value == null && !this.settings.cacheNullValues()) {
			throw new IllegalArgumentException("Cache '" + getName()
					+ "' does not store null values; use unless=\"#result == null\" or enable cache-null-values");
		}
		Target target = target(key);
		long loadStart = tags.loadStartMicros();
		write(target, value, tags, loadStart);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		ValueWrapper existing = get(key);
		if (existing == null) {
			put(key, value);
		}
		return existing;
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		Target target = target(key);
		boolean removed = this.infrastructure.store().evict(target.namespace(), target.userKey());
		this.statistics.eviction();
		return removed;
	}

	/**
	 * Removes every entry of the cache in bounded batches; a value whose load began before the clear is not
	 * stored afterwards.
	 */
	@Override
	public void clear() {
		purge(RedisTagStore.CACHE_TAG);
	}

	@Override
	public boolean invalidate() {
		return purge(RedisTagStore.CACHE_TAG) > 0;
	}

	/**
	 * Purges one tag from this cache.
	 * @return how many entries were removed
	 */
	public long purge(String tag) {
		long started = this.infrastructure.nanoTime();
		long removed = this.infrastructure.store()
			.purge(this.layout.namespaces(this.infrastructure.keyPrefix(), this.infrastructure.tenant()), tag);
		this.statistics.purge(removed, this.infrastructure.nanoTime() - started);
		return removed;
	}

	/**
	 * Counts unexpired entries listed under a tag in this cache (an upper bound, see
	 * {@link RedisTagStore#count}).
	 */
	public long count(String tag) {
		long count = 0;
		for (Namespace namespace : this.layout.namespaces(this.infrastructure.keyPrefix(),
				this.infrastructure.tenant())) {
			count += this.infrastructure.store().count(namespace, tag);
		}
		return count;
	}

	private Lookup lookup(Target target) {
		if (!this.infrastructure.redisAllowed()) {
			return new Lookup.Miss(0);
		}
		try {
			ensureWatermarks();
			Lookup lookup = this.infrastructure.store().lookup(target.namespace(), target.userKey());
			if (lookup instanceof Lookup.Miss miss) {
				this.infrastructure.clock().observe(miss.redisMicros(), this.infrastructure.nanoTime());
			}
			this.infrastructure.succeeded();
			return lookup;
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "read", ex);
			return new Lookup.Miss(0);
		}
	}

	private @Nullable ValueWrapper read(Target target, Lookup lookup) {
		if (!(lookup instanceof Lookup.Hit hit)) {
			return null;
		}
		if (hit.value().length == 0) {
			return new SimpleValueWrapper(null);
		}
		try {
			return new SimpleValueWrapper(this.infrastructure.serializer().deserialize(hit.value()));
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "deserialize entry '" + target.userKey() + "', which is removed", ex);
			try {
				this.infrastructure.store().delete(target.namespace(), target.userKey());
			}
			catch (RuntimeException deleteFailure) {
				this.infrastructure.failed(this, "remove an unreadable entry", deleteFailure);
			}
			return null;
		}
	}

	private void write(Target target, @Nullable Object value, EntryTags tags, long loadStartMicros) {
		List<String> tagList = Tags.forEntry(tags.tagsFor(value));
		byte[] bytes = (value != null) ? this.infrastructure.serializer().serialize(value) : NULL_VALUE;
		if (bytes == null || (value != null && bytes.length == 0)) {
			throw new IllegalStateException("Serializer produced no bytes for a value of " + value.getClass());
		}
		if (!this.infrastructure.redisAllowed()) {
			return;
		}
		try {
			ensureWatermarks();
			long start = (loadStartMicros == Long.MAX_VALUE) ? this.infrastructure.clock().lowerBoundMicros()
					: loadStartMicros;
			boolean stored = this.infrastructure.store()
				.store(target.namespace(), target.userKey(), bytes, this.settings.ttl(), start, tagList);
			this.infrastructure.succeeded();
			if (stored) {
				this.statistics.put();
			}
			else {
				this.statistics.refusedPut();
			}
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "write", ex);
		}
	}

	/**
	 * Once per tenant and instance, before the first read or write, so that a watermark deleted later is
	 * recreated by {@code put.lua} at the current time (refusing older loads) rather than here at 0.
	 */
	private void ensureWatermarks() {
		String tenant = this.infrastructure.tenant();
		if (!this.tenantsWithWatermarks.contains(tenant)) {
			this.infrastructure.store()
				.initializeWatermarks(this.layout.namespaces(this.infrastructure.keyPrefix(), tenant));
			this.tenantsWithWatermarks.add(tenant);
		}
	}

	private void count(@Nullable ValueWrapper found) {
		if (found != null) {
			this.statistics.hit();
		}
		else {
			this.statistics.miss();
		}
	}

	void recordError() {
		this.statistics.error();
	}

	private Target target(Object key) {
		String userKey = CacheKeys.toUserKey(key);
		String tenant = this.infrastructure.tenant();
		return new Target(this.layout.namespaceFor(this.infrastructure.keyPrefix(), tenant, userKey), userKey);
	}

	private record Target(Namespace namespace, String userKey) {
	}

}
