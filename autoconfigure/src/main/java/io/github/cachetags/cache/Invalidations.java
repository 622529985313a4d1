package io.github.cachetags.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.store.ShardsNotPurgedException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Sends purges and evictions to Redis, and keeps the ones that could not be sent until they can.
 * <p>
 * A purge switches the tag's mark in every shard of every layout of the cache (current and older versions, and
 * caches only other instances created) before it drains anything. An invalidation that fails is queued and
 * retried, oldest first, until Redis accepts it (purges and evictions are idempotent); while any is queued this
 * instance reads no entry from Redis, so it never serves what it failed to invalidate. The queue is bounded:
 * past {@link #MAX_PENDING_EVICTIONS} evictions, those of one cache are replaced by a clear of that cache.
 */
public final class Invalidations {

	/** Most queued key evictions before they are folded into clears of their caches. */
	static final int MAX_PENDING_EVICTIONS = 10_000;

	/** How often an instance records its layouts again ({@link #registerAll}); they stay recorded 2.5 times that. */
	public static final Duration REREGISTER_INTERVAL = Duration.ofSeconds(30);

	private static final Log logger = LogFactory.getLog(Invalidations.class);

	private final RedisTagStore store;

	private final String keyPrefix;

	private final Supplier<Collection<CacheLayout>> localLayouts;

	private final Function<String, CacheLayout> defaultLayout;

	private final Function<String, Duration> entryLifetime;

	private final Runnable onRetryFailure;

	private final ReentrantLock lock = new ReentrantLock();

	private final Map<String, Pending> pending = new LinkedHashMap<>();

	private volatile int pendingCount;

	private final Set<String> registered = ConcurrentHashMap.newKeySet();

	private volatile Set<String> lastRegistry = Set.of();

	private volatile long registryLostUntilNanos;

	private volatile Local local = Local.NONE;

	private final LongAdder retried = new LongAdder();

	/**
	 * @param store the Redis protocol
	 * @param keyPrefix prefix of every key
	 * @param localLayouts layouts of the caches this instance has created
	 * @param defaultLayout layout a cache of that name would have here (for caches not created yet)
	 */
	Invalidations(RedisTagStore store, String keyPrefix, Supplier<Collection<CacheLayout>> localLayouts,
			Function<String, CacheLayout> defaultLayout, Function<String, Duration> entryLifetime,
			Runnable onRetryFailure) {
		this.store = store;
		this.keyPrefix = keyPrefix;
		this.localLayouts = localLayouts;
		this.defaultLayout = defaultLayout;
		this.entryLifetime = entryLifetime;
		this.onRetryFailure = onRetryFailure;
	}

	/**
	 * How long a layout stays recorded without being recorded again: longer than any entry of it can live after
	 * the last instance that uses it stopped recording it.
	 */
	private Duration registration(CacheLayout layout) {
		return this.entryLifetime.apply(layout.name())
			.plus(this.store.maxLoadTime())
			.plus(REREGISTER_INTERVAL.multipliedBy(5).dividedBy(2));
	}

	/**
	 * Purges a tag in one cache, or in every cache, of one tenant.
	 * @return how many unexpired entries the tag listed, per cache name (for the cache-wide tag, the shards where
	 * anything was stored since their last clear)
	 * @throws InvalidationPendingException if Redis could not be reached; the purge is queued and retried
	 */
	public Map<String, Long> purge(@Nullable String cacheName, String tag, String tenant) {
		Pending purge = new PendingPurge(cacheName, tag, tenant);
		// near entries are dropped before (nothing is served from them meanwhile) and after (a value read from
		// Redis before the purge that this instance is filing now is refused)
		this.local.purged(cacheName, tag, tenant);
		try {
			return purgeNow(cacheName, tag, tenant);
		}
		catch (ShardsNotPurgedException ex) {
			// the reachable shards are purged: retry the others only
			enqueue(new PendingShardPurge(ex.getShards(), tag));
			throw new InvalidationPendingException("Could not purge tag '" + tag + "' in " + ex.getShards().size()
					+ " cache shard(s); they are queued and retried until Redis accepts them", ex);
		}
		catch (RuntimeException ex) {
			// whatever failed (connection, pool, timeout, a command error), a purge is idempotent: retry it
			enqueue(purge);
			throw new InvalidationPendingException("Could not purge tag '" + tag + "'"
					+ ((cacheName != null) ? " in cache '" + cacheName + "'" : "")
					+ "; it is queued and retried until Redis accepts it", ex);
		}
		finally {
			this.local.purged(cacheName, tag, tenant);
		}
	}

	private Map<String, Long> purgeNow(@Nullable String cacheName, String tag, String tenant) {
		RuntimeException registryFailure = null;
		boolean registryLost;
		List<CacheLayout> layouts;
		try {
			registryLost = registerAll() || recentlyLost();
			layouts = layouts(cacheName);
		}
		catch (RuntimeException ex) {
			// the registry's node may be down while the shards' nodes are up: purge what is known now, and retry the
			// whole purge (with the registry) later
			registryFailure = ex;
			registryLost = false;
			layouts = knownLayouts(cacheName, this.lastRegistry);
		}
		List<Namespace> shards = new ArrayList<>();
		List<String> names = new ArrayList<>();
		for (CacheLayout layout : layouts) {
			for (Namespace shard : layout.namespaces(this.keyPrefix, tenant)) {
				shards.add(shard);
				names.add(layout.name());
			}
		}
		if (registryLost) {
			// caches only other instances created may be missing from the registry: find their shards by their keys
			logger.warn("The cache registry in Redis was lost; this purge also scans for cache shards");
			for (Namespace shard : this.store.discoverShards(tenant)) {
				String name = CacheLayout.nameOf(shard, this.keyPrefix, tenant);
				if (!shards.contains(shard) && name != null && (cacheName == null || cacheName.equals(name))) {
					shards.add(shard);
					names.add(name);
				}
			}
		}
		long[] removed;
		try {
			removed = this.store.purgeEach(shards, tag);
		}
		catch (ShardsNotPurgedException ex) {
			// without the registry this purge may have missed layouts: the whole purge is retried, not the shards
			throw (registryFailure != null) ? registryFailure : ex;
		}
		if (registryFailure != null) {
			throw registryFailure;
		}
		Map<String, Long> perCache = new TreeMap<>();
		for (int i = 0; i < removed.length; i++) {
			perCache.merge(names.get(i), removed[i], Long::sum);
		}
		return perCache;
	}

	/**
	 * Evicts one key.
	 * @return whether an entry was present
	 * @throws InvalidationPendingException if Redis could not be reached; the eviction is queued and retried
	 */
	public boolean evict(String cacheName, String tenant, Namespace namespace, String userKey) {
		this.local.evicted(namespace, userKey);
		try {
			return this.store.evict(namespace, userKey);
		}
		catch (RuntimeException ex) {
			enqueue(new PendingEvict(cacheName, tenant, namespace, userKey));
			throw new InvalidationPendingException(
					"Could not evict a key of cache '" + cacheName + "'; it is queued and retried until Redis accepts it",
					ex);
		}
		finally {
			this.local.evicted(namespace, userKey);
		}
	}

	/**
	 * Queues the eviction of a key that could not be invalidated now (for example a replacing write while Redis
	 * is being skipped after a failure).
	 */
	void evictLater(String cacheName, String tenant, Namespace namespace, String userKey) {
		this.local.evicted(namespace, userKey);
		enqueue(new PendingEvict(cacheName, tenant, namespace, userKey));
		// again once queued: a read that sent the queue meanwhile may have filed the old value near
		this.local.evicted(namespace, userKey);
	}

	/**
	 * Applies this instance's invalidations to its near caches too.
	 */
	void applyLocally(Local local) {
		this.local = local;
	}

	/**
	 * What an invalidation made by this instance does to its own near caches, before it returns.
	 */
	public interface Local {

		Local NONE = new Local() {

			@Override
			public void purged(@Nullable String cacheName, String tag, String tenant) {
			}

			@Override
			public void evicted(Namespace namespace, String userKey) {
			}

		};

		/** A tag was purged (the cache-wide tag {@code ""}: a clear) in one cache, or in all if none is named. */
		void purged(@Nullable String cacheName, String tag, String tenant);

		/** A key was evicted or replaced. */
		void evicted(Namespace namespace, String userKey);

	}

	/** How many invalidations wait to be sent. */
	public int pending() {
		return this.pendingCount;
	}

	/** How many queued invalidations were sent on a later attempt. */
	public long retried() {
		return this.retried.sum();
	}

	/**
	 * Sends queued invalidations, oldest first, stopping at the first that fails. Does nothing if another thread
	 * is sending them.
	 * @return whether nothing is queued any more
	 */
	public boolean retry() {
		if (this.pendingCount == 0) {
			return true;
		}
		if (!this.lock.tryLock()) {
			return false;
		}
		try {
			Iterator<Pending> queued = this.pending.values().iterator();
			while (queued.hasNext()) {
				Pending next = queued.next();
				try {
					next.send(this);
				}
				catch (RuntimeException ex) {
					logger.debug("Queued invalidation still cannot be sent: " + ex);
					// like any Redis failure: callers skip Redis for a while rather than each paying a timeout
					this.onRetryFailure.run();
					return false;
				}
				queued.remove();
				this.pendingCount = this.pending.size();
				this.retried.increment();
			}
			logger.info("Every queued cache invalidation has reached Redis");
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void enqueue(Pending invalidation) {
		this.lock.lock();
		try {
			this.pending.remove(invalidation.id());
			this.pending.put(invalidation.id(), invalidation);
			if (this.pending.size() > MAX_PENDING_EVICTIONS) {
				foldEvictions();
			}
			this.pendingCount = this.pending.size();
		}
		finally {
			this.lock.unlock();
		}
		logger.warn("Queued a cache invalidation that could not reach Redis (" + this.pendingCount
				+ " queued); this instance reads no cached entries until they are sent");
	}

	private void foldEvictions() {
		List<PendingPurge> clears = new ArrayList<>();
		Iterator<Pending> queued = this.pending.values().iterator();
		while (queued.hasNext()) {
			if (queued.next() instanceof PendingEvict evict) {
				queued.remove();
				PendingPurge clear = new PendingPurge(evict.cacheName(), RedisTagStore.CACHE_TAG, evict.tenant());
				if (!clears.contains(clear)) {
					clears.add(clear);
				}
			}
		}
		clears.forEach((clear) -> this.pending.put(clear.id(), clear));
	}

	/**
	 * Records a cache layout in the registry that cross-cache purges read, unless this instance already has.
	 * @return whether the layout is known to be recorded; a cache does not store entries until it is, so that no
	 * entry exists that a purge from another instance could not find
	 */
	boolean ensureRegistered(CacheLayout layout) {
		String descriptor = layout.descriptor();
		if (this.registered.contains(descriptor)) {
			return true;
		}
		try {
			this.store.register(List.of(descriptor), registration(layout));
			this.registered.add(descriptor);
			return true;
		}
		catch (RuntimeException ex) {
			logger.debug("Could not record cache '" + layout.name() + "' in Redis yet: " + ex);
			return false;
		}
	}

	/**
	 * Records every layout of this instance again, in one call, in case the registry was lost (evicted or
	 * deleted): run before every purge and on a schedule.
	 * @return whether a layout this instance had recorded was missing: the registry was lost, and layouts of other
	 * instances may be missing too
	 */
	public boolean registerAll() {
		List<String> descriptors = new ArrayList<>();
		boolean recorded = false;
		Duration lifetime = Duration.ZERO;
		for (CacheLayout layout : this.localLayouts.get()) {
			descriptors.add(layout.descriptor());
			recorded |= this.registered.contains(layout.descriptor());
			Duration needed = registration(layout);
			lifetime = (needed.compareTo(lifetime) > 0) ? needed : lifetime;
		}
		if (descriptors.isEmpty()) {
			return false;
		}
		long added = this.store.register(descriptors, lifetime);
		boolean lost = recorded && added > descriptors.size() - countRecorded(descriptors);
		this.registered.addAll(descriptors);
		if (lost) {
			// other instances' layouts may stay missing until they record theirs again: purges scan meanwhile
			this.registryLostUntilNanos = System.nanoTime() + lifetime.toNanos();
		}
		return lost;
	}

	/**
	 * Whether a loss of the registry was seen recently enough that layouts of other instances may still be
	 * missing from it.
	 */
	private boolean recentlyLost() {
		long until = this.registryLostUntilNanos;
		return until != 0 && System.nanoTime() - until < 0;
	}

	private long countRecorded(List<String> descriptors) {
		return descriptors.stream().filter(this.registered::contains).count();
	}

	/**
	 * Layouts of this instance's caches and of every cache recorded in Redis, optionally of one name only.
	 */
	List<CacheLayout> layouts(@Nullable String onlyName) {
		Set<String> registry = this.store.registered();
		this.lastRegistry = registry;
		return knownLayouts(onlyName, registry);
	}

	private List<CacheLayout> knownLayouts(@Nullable String onlyName, Set<String> registry) {
		Map<String, CacheLayout> layouts = new LinkedHashMap<>();
		for (CacheLayout layout : this.localLayouts.get()) {
			layouts.put(layout.descriptor(), layout);
		}
		for (String descriptor : registry) {
			CacheLayout.parse(descriptor).ifPresent((layout) -> layouts.putIfAbsent(descriptor, layout));
		}
		if (onlyName != null) {
			CacheLayout fallback = this.defaultLayout.apply(onlyName);
			layouts.putIfAbsent(fallback.descriptor(), fallback);
		}
		List<CacheLayout> result = new ArrayList<>();
		for (CacheLayout layout : layouts.values()) {
			if (onlyName == null || layout.name().equals(onlyName)) {
				result.add(layout);
			}
		}
		return result;
	}

	private sealed interface Pending {

		String id();

		void send(Invalidations invalidations);

	}

	private record PendingPurge(@Nullable String cacheName, String tag, String tenant) implements Pending {

		@Override
		public String id() {
			return "p\t" + this.tenant + "\t" + this.cacheName + "\t" + this.tag;
		}

		@Override
		public void send(Invalidations invalidations) {
			invalidations.purgeNow(this.cacheName, this.tag, this.tenant);
		}

	}

	private record PendingShardPurge(List<Namespace> shards, String tag) implements Pending {

		@Override
		public String id() {
			return "s\t" + this.tag + "\t" + this.shards;
		}

		@Override
		public void send(Invalidations invalidations) {
			invalidations.store.purgeEach(this.shards, this.tag);
		}

	}

	private record PendingEvict(String cacheName, String tenant, Namespace namespace, String userKey)
			implements Pending {

		@Override
		public String id() {
			return "e\t" + this.namespace.value() + this.userKey;
		}

		@Override
		public void send(Invalidations invalidations) {
			invalidations.store.evict(this.namespace, this.userKey);
		}

	}

}
