package io.github.cachetags.cache;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.store.RedisTagStore.StoreResult;
import io.github.cachetags.store.RefreshDecision;
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
 * <p>
 * Reads through a loader may refresh an entry ahead of its expiry, in the background, and serve a value past
 * its expiry within the cache's stale-while-revalidate or stale-if-error window (see {@link Freshness}); a
 * refresh is a load like any other, so a purge during it is never undone.
 */
public class TagAwareCache implements Cache {

	private static final byte[] NULL_VALUE = new byte[0];

	private final CacheLayout layout;

	private final CacheSettings settings;

	private final CacheInfrastructure infrastructure;

	private final CacheStatistics statistics = new CacheStatistics();

	private final Set<String> tenantsWithWatermarks = ConcurrentHashMap.newKeySet();

	private final CoalescingLoader loader;

	TagAwareCache(String name, CacheSettings settings, CacheInfrastructure infrastructure) {
		this.layout = new CacheLayout(name, settings.version(), settings.shards());
		this.settings = settings;
		this.infrastructure = infrastructure;
		this.loader = new CoalescingLoader(this, infrastructure.coalescing());
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
		Lookup lookup = lookup(target);
		ValueWrapper found = (lookup instanceof Lookup.Hit hit && validMillis(hit) <= 0) ? null
				: read(target, lookup);
		countRead(found);
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
	 * Returns the cached value, or loads, tags and stores it. Concurrent misses on the key load once: across
	 * threads of this instance through an in-flight future, and across instances through a load lease in Redis
	 * that other instances wait on (polling the entry) for at most the lease time before loading themselves. A
	 * loader exception reaches every waiter in this instance, and nothing is cached.
	 */
	public <T> @Nullable T get(Object key, Callable<T> valueLoader, EntryTags tags) {
		return this.loader.load(target(key), key, valueLoader, tags);
	}

	/**
	 * Reads the value without blocking the caller: the read runs on CacheTags' asynchronous executor. The future
	 * completes with a {@link ValueWrapper} on a hit and with {@code null} on a miss or a Redis error.
	 */
	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return CompletableFuture.supplyAsync(() -> get(key), this.infrastructure.asyncExecutor());
	}

	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return retrieve(key, valueLoader, EntryTags.NONE);
	}

	/**
	 * As {@link #get(Object, Callable, EntryTags)}, without blocking the caller: concurrent misses are coalesced
	 * in the same way, and the future completes exceptionally with the loader's exception.
	 */
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader,
			EntryTags tags) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return get(key, () -> valueLoader.get().join(), tags);
			}
			catch (ValueRetrievalException ex) {
				Throwable cause = ex.getCause();
				if (cause instanceof CompletionException completion && completion.getCause() != null) {
					cause = completion.getCause();
				}
				throw (cause instanceof RuntimeException runtime) ? runtime : new CompletionException(cause);
			}
		}, this.infrastructure.asyncExecutor());
	}

	/**
	 * Calls the loader and times it.
	 */
	<T> Loaded<T> callLoader(Object key, Callable<T> valueLoader) {
		long loadStarted = this.infrastructure.nanoTime();
		try {
			T value = valueLoader.call();
			long nanos = this.infrastructure.nanoTime() - loadStarted;
			this.statistics.load(true, nanos);
			return new Loaded<>(value, nanos);
		}
		catch (Exception ex) {
			this.statistics.load(false, this.infrastructure.nanoTime() - loadStarted);
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
	}

	/**
	 * Stores a loaded value; never throws.
	 * @return whether other callers may be given the value: it was stored, or Redis could not tell (it is
	 * unavailable, or the value is a null that is not cached); not if a purge refused it or an entry existed
	 */
	boolean storeLoaded(Target target, @Nullable Object value, EntryTags tags, long loadStartMicros,
			String leaseOrMode, long loadNanos) {
		if (value == null && !this.settings.cacheNullValues()) {
			if (!leaseOrMode.isEmpty() && !leaseOrMode.equals(RedisTagStore.IF_ABSENT)) {
				release(target, leaseOrMode);
			}
			return true;
		}
		try {
			StoreResult result = write(target, value, tags, loadStartMicros, leaseOrMode, loadNanos);
			return result == null || result == StoreResult.STORED;
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "store a loaded value", ex);
			return true;
		}
	}

	/**
	 * Serves a read made with a loader: a valid value, registering the key for refresh; or, past expiry, the
	 * previous value within the stale-while-revalidate window, refreshing it in the background. Otherwise the
	 * caller loads, and may fall back on {@link Read#fallback()} if its load fails (stale-if-error).
	 */
	Read serve(Target target, Object key, Callable<?> loader, EntryTags tags, Lookup lookup) {
		if (!(lookup instanceof Lookup.Hit hit)) {
			return Read.MISS;
		}
		ValueWrapper value = read(target, lookup);
		if (value == null) {
			return Read.MISS;
		}
		Freshness freshness = this.settings.freshness();
		long valid = validMillis(hit);
		if (valid > 0) {
			if (freshness.needsScheduler()) {
				this.infrastructure.refresher().onRead(this, target, key, loader, tags, valid, hit.loadMillis());
			}
			return new Read(value, null);
		}
		if (-valid < freshness.staleWhileRevalidate().toMillis()) {
			this.statistics.servedStale();
			this.infrastructure.refresher().refreshNow(this, target, key, loader, tags);
			return new Read(value, null);
		}
		return new Read(null, (-valid < freshness.staleIfError().toMillis()) ? value : null);
	}

	/**
	 * Counts a stale value served because its load failed.
	 */
	void servedStaleOnError(Exception loadFailure) {
		this.statistics.servedStale();
		this.infrastructure.warn("Cache '" + getName() + "' served a stale value because its load failed: "
				+ loadFailure);
	}

	/**
	 * Reloads an entry ahead of its expiry if no other instance has, holding the key's load lease. The value is
	 * stored under the Redis time at which the lease was taken, so a purge or eviction during the refresh makes
	 * the store refuse it. Never throws: a failed refresh is counted and logged, and the previous value stays.
	 * @return how long the entry now stays valid in milliseconds, or -1 if unknown
	 */
	long refresh(Target target, Object key, Callable<?> loader, EntryTags tags) {
		if (!this.infrastructure.redisAllowed()) {
			return -1;
		}
		Freshness freshness = this.settings.freshness();
		long graceMillis = freshness.grace().toMillis();
		long windowMillis = (long) (this.settings.ttl().toMillis() * freshness.refreshWithin());
		String token = CoalescingLoader.newToken();
		RefreshDecision decision;
		try {
			decision = this.infrastructure.store()
				.tryRefresh(target.namespace(), target.userKey(), token, this.infrastructure.coalescing().leaseTime(),
						Duration.ofMillis(windowMillis + graceMillis));
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "start a refresh", ex);
			return -1;
		}
		if (decision instanceof RefreshDecision.Fresh fresh) {
			return fresh.remainingMillis() - graceMillis;
		}
		if (!(decision instanceof RefreshDecision.Leased leased)) {
			return -1;
		}
		long started = this.infrastructure.nanoTime();
		Object value;
		try {
			value = loader.call();
		}
		catch (Exception ex) {
			this.statistics.refresh(false);
			release(target, token);
			this.infrastructure.warn("Cache '" + getName()
					+ "' could not refresh an entry; the previous value is served until it expires: " + ex);
			return -1;
		}
		this.statistics.refresh(true);
		storeLoaded(target, value, tags, leased.redisMicros(), token, this.infrastructure.nanoTime() - started);
		return this.settings.ttl().toMillis();
	}

	void refreshRejected(RuntimeException ex) {
		this.statistics.refreshRejected();
		this.infrastructure.warn("Cache '" + getName() + "' skipped a refresh, the refresh executor is full: " + ex);
	}

	private long validMillis(Lookup.Hit hit) {
		if (hit.remainingMillis() == Long.MAX_VALUE) {
			return Long.MAX_VALUE;
		}
		return hit.remainingMillis() - this.settings.freshness().grace().toMillis();
	}

	/**
	 * A load start for a load about to begin without a preceding read: a lower bound of the Redis clock, or 0
	 * (which makes the write refused) if Redis cannot be reached.
	 */
	long loadStartNow() {
		try {
			return this.infrastructure.clock().lowerBoundMicros();
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	void release(Target target, String leaseToken) {
		try {
			this.infrastructure.store().release(target.namespace(), target.userKey(), leaseToken);
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "release a load lease", ex);
		}
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
		write(target, value, tags, loadStart, "", 0);
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
		return lookup(target, null);
	}

	/**
	 * Reads an entry, asking for the load lease on a miss when a token is given; never throws.
	 */
	Lookup lookup(Target target, @Nullable String leaseToken) {
		if (!this.infrastructure.redisAllowed()) {
			return new Lookup.Miss(0);
		}
		try {
			ensureWatermarks();
			Lookup lookup = this.infrastructure.store()
				.lookup(target.namespace(), target.userKey(), leaseToken, this.loader.leaseTime());
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

	@Nullable ValueWrapper read(Target target, Lookup lookup) {
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

	/**
	 * @return what Redis did, or {@code null} if it was not reached
	 */
	private @Nullable StoreResult write(Target target, @Nullable Object value, EntryTags tags,
			long loadStartMicros, String leaseOrMode, long loadNanos) {
		List<String> tagList = Tags.forEntry(tags.tagsFor(value));
		byte[] bytes = (value != null) ? this.infrastructure.serializer().serialize(value) : NULL_VALUE;
		if (bytes == null || (value != null && bytes.length == 0)) {
			throw new IllegalStateException("Serializer produced no bytes for a value of " + value.getClass());
		}
		if (!this.infrastructure.redisAllowed()) {
			return null;
		}
		try {
			ensureWatermarks();
			long start = (loadStartMicros == Long.MAX_VALUE) ? this.infrastructure.clock().lowerBoundMicros()
					: loadStartMicros;
			StoreResult result = this.infrastructure.store()
				.store(target.namespace(), target.userKey(), bytes, storedTtl(), start, loadNanos / 1_000_000,
						tagList, leaseOrMode);
			this.infrastructure.succeeded();
			if (result == StoreResult.STORED) {
				this.statistics.put();
			}
			else if (result == StoreResult.REFUSED) {
				this.statistics.refusedPut();
			}
			return result;
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "write", ex);
			return null;
		}
	}

	/**
	 * The time to live of one new entry: the cache's, shortened by a random part of the jitter fraction, plus the
	 * grace period in which it may be served stale.
	 */
	private Duration storedTtl() {
		Freshness freshness = this.settings.freshness();
		long ttl = this.settings.ttl().toMillis();
		if (freshness.ttlJitter() > 0) {
			ttl -= (long) (ttl * freshness.ttlJitter() * ThreadLocalRandom.current().nextDouble());
		}
		return Duration.ofMillis(Math.max(1, ttl) + freshness.grace().toMillis());
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

	void countRead(@Nullable ValueWrapper found) {
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

	record Target(Namespace namespace, String userKey) {

		String flightKey() {
			return this.namespace.value() + this.userKey;
		}

	}

	/**
	 * A loaded value and how long its load took.
	 */
	record Loaded<T>(@Nullable T value, long nanos) {
	}

	/**
	 * What a read with a loader serves: a value, or nothing and perhaps a stale value to fall back on.
	 */
	record Read(@Nullable ValueWrapper value, @Nullable ValueWrapper fallback) {

		static final Read MISS = new Read(null, null);

	}

}
