package io.github.cachetags.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.store.RedisTagStore.StoreResult;
import io.github.cachetags.store.RefreshDecision;
import io.github.cachetags.tags.Tags;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.NullValue;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * A Spring {@link Cache} on Redis whose entries carry tags.
 * <p>
 * A hit is one script call that returns the value only if none of the entry's tags, nor the cache, has been
 * purged since it was stored. A loaded value is stored only if no purge, clear, eviction or replacing write of
 * its key happened after its load began (the stale-set race); the order is kept by per-shard stamps in Redis,
 * never by comparing clocks. A replacing write ({@link #put}) wins over every load that began before it, and one
 * that cannot be stored removes the key instead. Reads and writes never throw for Redis trouble: a failed read is
 * a miss and a failed load's write is dropped, both logged and counted, and Redis is skipped for a short interval
 * after a failure. An eviction, clear or purge that cannot reach Redis is queued and retried until it does (see
 * {@link Invalidations}); {@link #purge} then throws {@link InvalidationPendingException}, the others log.
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

	private final Invalidations invalidations;

	private final CoalescingLoader loader;

	private final @Nullable NearCache near;

	TagAwareCache(String name, CacheSettings settings, CacheInfrastructure infrastructure,
			Invalidations invalidations, @Nullable NearCoherence coherence) {
		this.layout = new CacheLayout(name, settings.version(), settings.shards());
		this.settings = settings;
		this.infrastructure = infrastructure;
		this.invalidations = invalidations;
		this.loader = new CoalescingLoader(this, infrastructure.coalescing());
		this.near = (coherence != null && settings.local().enabled())
				? new NearCache(name, settings.local(), coherence, infrastructure.ticker()) : null;
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

	CoalescingLoader loader() {
		return this.loader;
	}

	/**
	 * Counters of the near cache, or {@code null} if the cache has none.
	 */
	public @Nullable NearStatistics getNearStatistics() {
		return (this.near != null) ? this.near.statistics() : null;
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		return get(key, (Consumer<LoadStart>) null);
	}

	/**
	 * Reads an entry; on a miss, tells {@code onMiss} the load start under which a value loaded now may be stored
	 * (see {@link #putLoaded}).
	 */
	public @Nullable ValueWrapper get(Object key, @Nullable Consumer<LoadStart> onMiss) {
		return readThrough(target(key), onMiss);
	}

	private @Nullable ValueWrapper readThrough(Target target, @Nullable Consumer<LoadStart> onMiss) {
		NearShard.Entry nearEntry = (this.near != null) ? this.near.get(target) : null;
		if (nearEntry != null) {
			countRead(nearEntry.value());
			return nearEntry.value();
		}
		NearCache.Ticket ticket = nearTicket(target);
		Lookup lookup = lookup(target, null);
		ValueWrapper found = (lookup instanceof Lookup.Hit hit && validMillis(hit) <= 0) ? null
				: read(target, lookup, ticket);
		countRead(found);
		if (found == null && onMiss != null) {
			onMiss.accept((lookup instanceof Lookup.Miss miss) ? miss.start() : loadStartNow(target));
		}
		return found;
	}

	/**
	 * Returns the cached value, as Spring's {@link Cache#get(Object, Class)} does.
	 * @throws IllegalStateException if the entry holds a value of another type
	 */
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

	/**
	 * Removes an entry whose value is not of the type its reader declares (written by other code, or before a
	 * change of the method's return type).
	 */
	public void discardMistyped(Object key, Class<?> type, Object value) {
		Target target = target(key);
		this.statistics.error();
		this.infrastructure.warn("Cache '" + getName() + "' held a " + value.getClass().getName() + " where a "
				+ type.getName() + " was expected; the entry is removed and read as a miss");
		if (this.near != null) {
			this.near.invalidate(target);
		}
		try {
			this.infrastructure.store().delete(target.namespace(), target.userKey());
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "remove a mistyped entry", ex);
		}
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
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader, EntryTags tags) {
		Target target = target(key);
		ValueWrapper near = nearHit(target, key, valueLoader, tags);
		if (near != null) {
			return (T) near.get();
		}
		return this.loader.load(target, key, valueLoader, tags);
	}

	/**
	 * A read with a loader answered by the near cache, which still counts for refresh-ahead; or {@code null}.
	 */
	private @Nullable ValueWrapper nearHit(Target target, Object key, Callable<?> valueLoader, EntryTags tags) {
		NearShard.Entry entry = (this.near != null) ? this.near.get(target) : null;
		if (entry == null) {
			return null;
		}
		countRead(entry.value());
		if (this.settings.freshness().needsScheduler()) {
			this.infrastructure.refresher()
				.onRead(this, target, key, valueLoader, tags, this.near.validMillis(entry), entry.loadMillis());
		}
		return entry.value();
	}

	/**
	 * Where the key's near shard stands before a Redis read is sent (see {@link NearCache#fill}).
	 */
	NearCache.@Nullable Ticket nearTicket(Target target) {
		return (this.near != null) ? this.near.ticket(target) : null;
	}

	/**
	 * Reads the value on the caller's thread (one round trip) and returns it as a completed future: with a
	 * {@link ValueWrapper} on a hit, {@code null} on a miss or a Redis error. Spring continues an asynchronous
	 * {@code @Cacheable} miss on the thread that completes this future, so completing it here makes the method
	 * run as the caller (tenant, security context), never on a CacheTags thread without them.
	 */
	@Override
	public CompletableFuture<?> retrieve(Object key) {
		return retrieve(key, (Consumer<LoadStart>) null);
	}

	/**
	 * As {@link #retrieve(Object)}, telling {@code onMiss} the load start of a miss (see {@link #putLoaded}).
	 */
	public CompletableFuture<@Nullable ValueWrapper> retrieve(Object key, @Nullable Consumer<LoadStart> onMiss) {
		return CompletableFuture.completedFuture(readThrough(target(key), onMiss));
	}

	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return retrieve(key, valueLoader, EntryTags.NONE);
	}

	/**
	 * As {@link #get(Object, Callable, EntryTags)}, without blocking the caller: the read and the load run on
	 * CacheTags' asynchronous executor, as the caller (its context is captured here and restored there; if the
	 * tenant does not then resolve as here, the future fails with {@link CallerContextException} and nothing is
	 * loaded). Concurrent misses are coalesced in the same way, and the future completes exceptionally with the
	 * loader's exception.
	 */
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader,
			EntryTags tags) {
		Target target = target(key);
		ValueWrapper near = nearHit(target, key, () -> valueLoader.get().join(), tags);
		if (near != null) {
			@SuppressWarnings("unchecked")
			T value = (T) near.get();
			return CompletableFuture.completedFuture(value);
		}
		CallerContext.Snapshot caller = captureCaller();
		return CompletableFuture.supplyAsync(() -> {
			try (CallerContext.Scope scope = restoreCaller(caller, target)) {
				return this.loader.load(target, key, () -> valueLoader.get().join(), tags);
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
	 * Captures the caller's thread-bound context, for work done for it on another thread.
	 */
	CallerContext.Snapshot captureCaller() {
		return this.infrastructure.callerContext().capture();
	}

	/**
	 * Restores a caller's context on this thread.
	 * @throws CallerContextException if the tenant does not then resolve as it did for the caller: the work
	 * must not run, or it would read another tenant's data into this tenant's entry
	 */
	CallerContext.Scope restoreCaller(CallerContext.Snapshot caller, Target target) {
		CallerContext.Scope scope = caller.restore();
		String tenant;
		try {
			tenant = this.infrastructure.tenant();
		}
		catch (RuntimeException ex) {
			scope.close();
			throw ex;
		}
		if (!tenant.equals(target.tenant())) {
			scope.close();
			throw new CallerContextException("Cache '" + getName() + "' cannot run a background load as tenant '"
					+ target.tenant() + "': on a CacheTags thread the tenant resolves to '" + tenant
					+ "'. Register a ThreadLocalAccessor for the tenant with Micrometer's ContextRegistry"
					+ " (context-propagation) so background work carries it.");
		}
		return scope;
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
	 * Stores a loaded value; never throws. A lease that is not released by the store is released here.
	 * @return what Redis did, or {@code null} if nothing was sent (a null that is not cached, Redis being skipped,
	 * an error)
	 */
	@Nullable StoreResult storeLoaded(Target target, @Nullable Object value, EntryTags tags, LoadStart start,
			String mode, long loadNanos) {
		StoreResult result = null;
		try {
			if (value != null || this.settings.cacheNullValues()) {
				result = write(target, value, tags, start, mode, loadNanos);
			}
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "store a loaded value", ex);
		}
		if (result == null && isLeaseToken(mode)) {
			release(target, mode);
		}
		return result;
	}

	private static boolean isLeaseToken(String mode) {
		return !mode.isEmpty() && !mode.equals(RedisTagStore.IF_ABSENT) && !mode.equals(RedisTagStore.REPLACE);
	}

	/**
	 * Serves a read made with a loader: a valid value, registering the key for refresh; or, past expiry, the
	 * previous value within the stale-while-revalidate window, refreshing it in the background. Otherwise the
	 * caller loads, and may fall back on {@link Read#fallback()} if its load fails (stale-if-error).
	 */
	Read serve(Target target, Object key, Callable<?> loader, EntryTags tags, Lookup lookup,
			NearCache.@Nullable Ticket nearTicket) {
		if (!(lookup instanceof Lookup.Hit hit)) {
			return Read.MISS;
		}
		ValueWrapper value = read(target, lookup, nearTicket);
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
	long refresh(Target target, Object key, Callable<?> loader, EntryTags tags, CallerContext.Snapshot caller) {
		if (!this.infrastructure.redisAllowed() || this.invalidations.pending() > 0) {
			return -1;
		}
		Freshness freshness = this.settings.freshness();
		long graceMillis = freshness.grace().toMillis();
		long windowMillis = (long) (this.settings.ttl().toMillis() * freshness.refreshWithin());
		String token = this.loader.leaseToken();
		try {
			return refresh(target, key, loader, tags, caller, token, graceMillis, windowMillis);
		}
		finally {
			this.loader.leaseDone(token);
		}
	}

	private long refresh(Target target, Object key, Callable<?> loader, EntryTags tags, CallerContext.Snapshot caller,
			String token, long graceMillis, long windowMillis) {
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
		try (CallerContext.Scope scope = restoreCaller(caller, target)) {
			value = loader.call();
		}
		catch (CallerContextException ex) {
			release(target, token);
			refreshRejected(ex);
			return -1;
		}
		catch (Exception ex) {
			this.statistics.refresh(false);
			release(target, token);
			this.infrastructure.warn("Cache '" + getName()
					+ "' could not refresh an entry; the previous value is served until it expires: " + ex);
			return -1;
		}
		this.statistics.refresh(true);
		storeLoaded(target, value, tags, leased.start(), token, this.infrastructure.nanoTime() - started);
		return this.settings.ttl().toMillis();
	}

	void refreshRejected(RuntimeException ex) {
		this.statistics.refreshRejected();
		this.infrastructure.warn("Cache '" + getName() + "' skipped a refresh: " + ex);
	}

	private long validMillis(Lookup.Hit hit) {
		if (hit.remainingMillis() == Long.MAX_VALUE) {
			return Long.MAX_VALUE;
		}
		return hit.remainingMillis() - this.settings.freshness().grace().toMillis();
	}

	/**
	 * The load start of a load about to begin without a preceding miss (one round trip), or
	 * {@link LoadStart#UNKNOWN} if Redis cannot be reached.
	 */
	LoadStart loadStartNow(Target target) {
		if (!this.infrastructure.redisAllowed()) {
			return LoadStart.UNKNOWN;
		}
		try {
			return this.infrastructure.store().loadStart(target.namespace());
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "read a load start", ex);
			return LoadStart.UNKNOWN;
		}
	}

	/**
	 * The load starts of a replacing write that begins now, per shard of the current tenant, read from Redis
	 * before the write's method runs ({@code @CachePut}).
	 */
	public Map<Namespace, LoadStart> loadStartsNow() {
		Map<Namespace, LoadStart> starts = new java.util.HashMap<>();
		for (Namespace namespace : this.layout.namespaces(this.infrastructure.keyPrefix(),
				this.infrastructure.tenant())) {
			Target target = new Target(namespace, "", this.infrastructure.tenant());
			starts.put(namespace, loadStartNow(target));
		}
		return starts;
	}

	/**
	 * Takes over a lease this instance abandoned; never throws.
	 */
	boolean takeOverLease(Target target, String abandoned, String leaseToken) {
		try {
			return this.infrastructure.store()
				.takeOver(target.namespace(), target.userKey(), abandoned, leaseToken, this.loader.leaseTime());
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "take over an abandoned load lease", ex);
			return false;
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

	/**
	 * Stores a value the caller vouches for; see {@link #put(Object, Object, EntryTags)}.
	 */
	@Override
	public void put(Object key, @Nullable Object value) {
		put(key, value, EntryTags.NONE);
	}

	/**
	 * Stores a value with tags, replacing the key's entry: once this returns, no read returns an older value of
	 * the key, and no load that began before it stores afterwards. The write is ordered after the load start the
	 * tags give ({@code @CachePut}: when the method began; a programmatic put: now); if a purge or eviction came
	 * after that, or the value cannot be stored, the key is removed instead. A removal that cannot reach Redis is
	 * queued and retried.
	 * @throws IllegalArgumentException if the value is {@code null} and the cache does not store nulls, or the
	 * tags are invalid (the key is removed); Redis errors are not thrown
	 */
	public void put(Object key, @Nullable Object value, EntryTags tags) {
		put(target(key), value, tags);
	}

	void put(Target target, @Nullable Object value, EntryTags tags) {
		byte[] bytes;
		List<String> tagList;
		try {
			requireStorable(value);
			tagList = Tags.forEntry(tags.tagsFor(value));
			bytes = serialize(value);
		}
		catch (RuntimeException ex) {
			invalidateQuietly(target);
			throw ex;
		}
		LoadStart start = tags.loadStart(target.namespace());
		if (start.olderThan(this.infrastructure.store().maxLoadTime().toNanos())) {
			start = LoadStart.UNKNOWN;
		}
		if (!this.infrastructure.redisAllowed() || this.invalidations.pending() > 0
				|| !this.invalidations.ensureRegistered(this.layout)) {
			removeLater(target);
			return;
		}
		if (this.near != null) {
			this.near.invalidate(target);
		}
		try {
			StoreResult result = this.infrastructure.store()
				.store(target.namespace(), target.userKey(), bytes, storedTtl(), start, 0, tagList,
						RedisTagStore.REPLACE);
			this.infrastructure.succeeded();
			if (result == StoreResult.STORED) {
				this.statistics.put();
			}
			else {
				this.statistics.refusedPut();
			}
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "write", ex);
			removeLater(target);
		}
		finally {
			if (this.near != null) {
				this.near.invalidate(target);
			}
		}
	}

	/**
	 * Stores a value loaded after a miss read through {@link #get(Object, Consumer)}: a load, stored only if
	 * nothing invalidated the key or its tags after {@code start}. Never throws for Redis trouble.
	 */
	void putLoaded(Target target, @Nullable Object value, EntryTags tags, LoadStart start) {
		requireStorable(value);
		storeLoaded(target, value, tags, start, RedisTagStore.LOAD, 0);
	}

	/**
	 * @throws IllegalArgumentException if the value is {@code null} and the cache does not store nulls
	 */
	private void requireStorable(@Nullable Object value) {
		if (value == null && !this.settings.cacheNullValues()) {
			throw new IllegalArgumentException("Cache '" + getName()
					+ "' does not store null values; use unless=\"#result == null\" or enable cache-null-values");
		}
	}

	/** Queues the removal of a key whose new value could not be sent. */
	private void removeLater(Target target) {
		this.invalidations.evictLater(getName(), target.tenant(), target.namespace(), target.userKey());
	}

	private void invalidateQuietly(Target target) {
		try {
			this.invalidations.evict(getName(), target.tenant(), target.namespace(), target.userKey());
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "remove a key whose new value was not stored", ex);
		}
	}

	/**
	 * Stores the value only if the key has no entry, atomically in Redis.
	 * @return the existing value, or {@code null} if the value was stored (or Redis could not be reached)
	 */
	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		return putIfAbsent(key, value, EntryTags.NONE);
	}

	/**
	 * As {@link #putIfAbsent(Object, Object)}, with tags.
	 */
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value, EntryTags tags) {
		requireStorable(value);
		Target target = target(key);
		StoreResult result = storeLoaded(target, value, tags, LoadStart.NOW, RedisTagStore.IF_ABSENT, 0);
		return (result == StoreResult.EXISTS) ? readThrough(target, null) : null;
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	/**
	 * Removes the key and fences it, so that no load begun before now stores it again. If Redis cannot be
	 * reached the eviction is queued and retried, and {@code false} is returned.
	 */
	@Override
	public boolean evictIfPresent(Object key) {
		return evictIfPresent(target(key));
	}

	boolean evictIfPresent(Target target) {
		try {
			boolean removed = this.invalidations.evict(getName(), target.tenant(), target.namespace(),
					target.userKey());
			this.statistics.eviction();
			return removed;
		}
		catch (InvalidationPendingException ex) {
			this.infrastructure.failed(this, "evict a key (queued for retry)", ex);
			return false;
		}
	}

	/**
	 * Removes every entry of the cache, in every version of its layout, in bounded batches; a value whose load
	 * began before the clear is not stored afterwards. If Redis cannot be reached the clear is queued and
	 * retried.
	 */
	@Override
	public void clear() {
		invalidate();
	}

	@Override
	public boolean invalidate() {
		return invalidate(this.infrastructure.tenant());
	}

	boolean invalidate(String tenant) {
		try {
			return purge(RedisTagStore.CACHE_TAG, tenant) > 0;
		}
		catch (InvalidationPendingException ex) {
			this.infrastructure.failed(this, "clear (queued for retry)", ex);
			return false;
		}
	}

	/**
	 * Purges one tag from this cache, in every version of its layout.
	 * @return how many entries were removed
	 * @throws InvalidationPendingException if Redis cannot be reached; the purge is queued and retried
	 */
	public long purge(String tag) {
		return purge(tag, this.infrastructure.tenant());
	}

	private long purge(String tag, String tenant) {
		long started = this.infrastructure.nanoTime();
		Map<String, Long> removed = this.invalidations.purge(getName(), tag, tenant);
		long count = removed.getOrDefault(getName(), 0L);
		recordPurge(count, this.infrastructure.nanoTime() - started);
		return count;
	}

	void recordPurge(long removed, long nanos) {
		this.statistics.purge(removed, nanos);
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

	/**
	 * Reads an entry, asking for the load lease on a miss when a token is given; never throws. While this
	 * instance has invalidations it could not send, it reads nothing from Redis until they are sent.
	 */
	Lookup lookup(Target target, @Nullable String leaseToken) {
		if (!this.infrastructure.redisAllowed()) {
			return Lookup.Miss.UNREACHED;
		}
		if (this.invalidations.pending() > 0 && !this.invalidations.retry()) {
			return Lookup.Miss.UNREACHED;
		}
		try {
			Lookup lookup = this.infrastructure.store()
				.lookup(target.namespace(), target.userKey(), leaseToken, this.loader.leaseTime(), this.near != null);
			this.infrastructure.succeeded();
			return lookup;
		}
		catch (RuntimeException ex) {
			this.infrastructure.failed(this, "read", ex);
			return Lookup.Miss.UNREACHED;
		}
	}

	/**
	 * Reads the value of a hit, keeping it in the near cache if it is valid and nothing invalidated its shard
	 * since {@code nearTicket} was taken.
	 */
	@Nullable ValueWrapper read(Target target, Lookup lookup, NearCache.@Nullable Ticket nearTicket) {
		ValueWrapper value = read(target, lookup);
		if (value != null && nearTicket != null && lookup instanceof Lookup.Hit hit && validMillis(hit) > 0) {
			this.near.fill(target, nearTicket, value, hit.tags(), validMillis(hit), hit.loadMillis());
		}
		return value;
	}

	private @Nullable ValueWrapper read(Target target, Lookup lookup) {
		if (!(lookup instanceof Lookup.Hit hit)) {
			return null;
		}
		if (hit.value().length == 0) {
			return new SimpleValueWrapper(null);
		}
		try {
			Object value = this.infrastructure.serializer().deserialize(hit.value());
			return new SimpleValueWrapper((value instanceof NullValue) ? null : value);
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
	 * Writes a loaded value.
	 * @return what Redis did, or {@code null} if nothing was sent (Redis skipped, or the load cannot be ordered)
	 */
	private @Nullable StoreResult write(Target target, @Nullable Object value, EntryTags tags, LoadStart start,
			String mode, long loadNanos) {
		List<String> tagList = Tags.forEntry(tags.tagsFor(value));
		byte[] bytes = serialize(value);
		if (!this.infrastructure.redisAllowed() || this.invalidations.pending() > 0
				|| !this.invalidations.ensureRegistered(this.layout)) {
			return null;
		}
		if (start.unknown() || start.olderThan(this.infrastructure.store().maxLoadTime().toNanos())) {
			this.statistics.refusedPut();
			return null;
		}
		Duration ttl = storedTtl();
		NearCache.Ticket ticket = nearTicket(target);
		try {
			StoreResult result = this.infrastructure.store()
				.store(target.namespace(), target.userKey(), bytes, ttl, start, loadNanos / 1_000_000, tagList, mode);
			this.infrastructure.succeeded();
			if (result == StoreResult.STORED) {
				this.statistics.put();
				if (ticket != null) {
					// what a read would now return, kept near without reading it back
					this.near.fill(target, ticket, new SimpleValueWrapper((value instanceof NullValue) ? null : value),
							tagList, ttl.toMillis() - this.settings.freshness().grace().toMillis(), loadNanos / 1_000_000);
				}
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

	private byte[] serialize(@Nullable Object value) {
		if (value == null || value instanceof NullValue) {
			return NULL_VALUE;
		}
		byte[] bytes = this.infrastructure.serializer().serialize(value);
		if (bytes == null || bytes.length == 0) {
			throw new IllegalStateException("Serializer produced no bytes for a value of " + value.getClass());
		}
		return bytes;
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

	/**
	 * The tenant of the current call, resolved on this thread.
	 */
	String currentTenant() {
		return this.infrastructure.tenant();
	}

	Target target(Object key) {
		return target(key, this.infrastructure.tenant());
	}

	Target target(Object key, String tenant) {
		String userKey = CacheKeys.toUserKey(key);
		return new Target(this.layout.namespaceFor(this.infrastructure.keyPrefix(), tenant, userKey), userKey,
				tenant);
	}

	/**
	 * A key resolved on the caller's thread: where it lives, and for which tenant.
	 */
	record Target(Namespace namespace, String userKey, String tenant) {

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
