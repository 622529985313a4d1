package io.github.cachetags.cache;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.store.RedisTagStore.StoreResult;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

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
 * A read passes through these layers, in this order, each one going on to the next only when it cannot answer:
 * <ol>
 * <li>the near cache ({@link NearCache}, when enabled): a value kept in this instance's memory;</li>
 * <li>the coalesced load ({@link CoalescingLoader}), for reads with a loader: one caller per key reads Redis and,
 * on a miss, loads, across threads and instances;</li>
 * <li>Redis ({@link RedisEntries}): one script call reads the entry and checks its tags' marks;</li>
 * <li>the freshness policy ({@link FreshnessPolicy}): what a read serves around expiry, and refreshes.</li>
 * </ol>
 * This class turns Spring's calls into those, and runs writes and invalidations.
 */
public class TagAwareCache implements Cache {

	private final CacheLayout layout;

	private final CacheSettings settings;

	private final CacheInfrastructure infrastructure;

	private final CacheStatistics statistics = new CacheStatistics();

	private final Invalidations invalidations;

	private final @Nullable NearCache near;

	private final LeaseTokens leases = new LeaseTokens();

	private final RedisEntries entries;

	private final FreshnessPolicy freshness;

	private final CoalescingLoader loader;

	/** The shard namespaces of recently seen tenants. */
	private final java.util.concurrent.ConcurrentMap<String, Namespace[]> namespaces =
			new java.util.concurrent.ConcurrentHashMap<>();

	/** Tenants whose namespaces are remembered at most; past it, they are forgotten and made again. */
	private static final int MAX_REMEMBERED_TENANTS = 10_000;

	TagAwareCache(String name, CacheSettings settings, CacheInfrastructure infrastructure,
			Invalidations invalidations, @Nullable NearCoherence coherence) {
		this.layout = new CacheLayout(name, settings.version(), settings.shards());
		this.settings = settings;
		this.infrastructure = infrastructure;
		this.invalidations = invalidations;
		this.near = (coherence != null && settings.local().enabled())
				? new NearCache(name, settings.local(), settings.ttl(), coherence, infrastructure.ticker()) : null;
		this.entries = new RedisEntries(this.layout, settings, infrastructure, this.statistics, invalidations,
				this.near);
		this.freshness = new FreshnessPolicy(this, infrastructure, this.entries, this.leases);
		this.loader = new CoalescingLoader(this.entries, this.freshness, this.statistics,
				infrastructure.coalescing(), this.leases, infrastructure.ticker());
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

	/**
	 * Counters of the near cache, or {@code null} if the cache has none.
	 */
	public @Nullable NearStatistics getNearStatistics() {
		return (this.near != null) ? this.near.statistics() : null;
	}

	CacheLayout layout() {
		return this.layout;
	}

	LeaseTokens leases() {
		return this.leases;
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
			this.statistics.hit();
			return nearEntry.value();
		}
		NearCache.Ticket ticket = this.entries.nearTicket(target);
		Lookup lookup = this.entries.lookup(target, null);
		ValueWrapper found = (lookup instanceof Lookup.Hit hit
				&& this.settings.freshness().validMillis(hit.remainingMillis()) <= 0) ? null
						: this.entries.read(target, lookup, ticket);
		if (found != null) {
			this.statistics.hit();
		}
		else {
			this.statistics.miss();
			if (onMiss != null) {
				onMiss.accept((lookup instanceof Lookup.Miss miss) ? miss.start() : this.entries.loadStartNow(target));
			}
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
		this.statistics.error();
		this.infrastructure.warn("Cache '" + getName() + "' held a " + value.getClass().getName() + " where a "
				+ type.getName() + " was expected; the entry is removed and read as a miss");
		this.entries.delete(target(key), "remove a mistyped entry");
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
		return get(target(key), key, valueLoader, tags);
	}

	@SuppressWarnings("unchecked")
	<T> @Nullable T get(Target target, Object key, Callable<T> valueLoader, EntryTags tags) {
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
		this.statistics.hit();
		this.freshness.registerRead(target, key, valueLoader, tags, this.near.validMillis(entry), entry.loadMillis());
		return entry.value();
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
	 * loader's exception. A near-cache hit completes the future at once.
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
			try (CallerContext.Scope scope = this.infrastructure.restoreCaller(caller, target.tenant(), getName())) {
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
	 * Reloads an entry ahead of its expiry (see {@link FreshnessPolicy#refresh}); run by the
	 * {@link RefreshScheduler}.
	 * @return how long the entry now stays valid in milliseconds, or -1 if unknown
	 */
	long refresh(Target target, Object key, Callable<?> loader, EntryTags tags, CallerContext.Snapshot caller) {
		return this.freshness.refresh(target, key, loader, tags, caller);
	}

	void refreshRejected(RuntimeException ex) {
		this.freshness.refreshRejected(ex);
	}

	/**
	 * The load starts of a replacing write that begins now, per shard of the current tenant, read from Redis
	 * before the write's method runs ({@code @CachePut}).
	 */
	public Map<Namespace, LoadStart> loadStartsNow() {
		return this.entries.loadStartsNow();
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
	 * the key (in this instance's near cache neither), and no load that began before it stores afterwards. The
	 * write is ordered after the load start the tags give ({@code @CachePut}: when the method began; a
	 * programmatic put: now); if a purge or eviction came after that, or the value cannot be stored, the key is
	 * removed instead. A removal that cannot reach Redis is queued and retried.
	 * @throws IllegalArgumentException if the value is {@code null} and the cache does not store nulls, or the
	 * tags are invalid (the key is removed); Redis errors are not thrown
	 */
	public void put(Object key, @Nullable Object value, EntryTags tags) {
		put(target(key), value, tags);
	}

	void put(Target target, @Nullable Object value, EntryTags tags) {
		this.entries.replace(target, value, tags);
	}

	/**
	 * Stores a value loaded after a miss read through {@link #get(Object, Consumer)}: a load, stored only if
	 * nothing invalidated the key or its tags after {@code start}. Never throws for Redis trouble.
	 */
	void putLoaded(Target target, @Nullable Object value, EntryTags tags, LoadStart start) {
		this.entries.requireStorable(value);
		this.entries.storeLoaded(target, value, tags, start, RedisTagStore.LOAD, 0);
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
		this.entries.requireStorable(value);
		Target target = target(key);
		StoreResult result = this.entries.storeLoaded(target, value, tags, LoadStart.NOW, RedisTagStore.IF_ABSENT,
				0);
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
			this.entries.failed("evict a key (queued for retry)", ex);
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

	/**
	 * Clears the cache for one tenant.
	 * @return whether anything was stored in the cache since its last clear (its entries are not counted: the
	 * cache-wide tag has no index)
	 */
	boolean invalidate(String tenant) {
		try {
			return purge(RedisTagStore.CACHE_TAG, tenant) > 0;
		}
		catch (InvalidationPendingException ex) {
			this.entries.failed("clear (queued for retry)", ex);
			return false;
		}
	}

	/**
	 * Purges one tag from this cache, in every version of its layout.
	 * @return how many unexpired entries the tag listed in this cache (an upper bound)
	 * @throws InvalidationPendingException if Redis cannot be reached; the purge is queued and retried
	 */
	public long purge(String tag) {
		return purge(tag, this.infrastructure.tenant());
	}

	private long purge(String tag, String tenant) {
		long started = this.infrastructure.nanoTime();
		Map<String, Long> removed = this.invalidations.purge(getName(), tag, tenant);
		long count = removed.getOrDefault(getName(), 0L);
		recordPurge(tag.equals(RedisTagStore.CACHE_TAG) ? 0 : count, this.infrastructure.nanoTime() - started);
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
		return new Target(namespace(tenant, this.layout.shardOf(userKey)), userKey, tenant);
	}

	/**
	 * The namespace of one shard of one tenant, made once (its text and hash are then reused by every read).
	 */
	private Namespace namespace(String tenant, int shard) {
		Namespace[] shards = this.namespaces.get(tenant);
		if (shards == null) {
			if (this.namespaces.size() >= MAX_REMEMBERED_TENANTS) {
				this.namespaces.clear();
			}
			shards = this.namespaces.computeIfAbsent(tenant, (key) -> this.layout
				.namespaces(this.infrastructure.keyPrefix(), key)
				.toArray(new Namespace[0]));
		}
		return shards[shard];
	}

	/**
	 * A key resolved on the caller's thread: where it lives, and for which tenant.
	 */
	record Target(Namespace namespace, String userKey, String tenant) {

		String flightKey() {
			return this.namespace.value() + this.userKey;
		}

	}

}
