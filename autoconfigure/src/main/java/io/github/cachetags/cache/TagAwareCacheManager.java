package io.github.cachetags.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.tags.Tags;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.CacheManager;

/**
 * A {@link CacheManager} of {@link TagAwareCache}s that also purges tags across them.
 * <p>
 * Caches named up front exist from the start; others are created on first use unless dynamic creation is off.
 * Every cache's layout is recorded in Redis, so a purge in one instance also reaches caches that only other
 * instances have created.
 */
public class TagAwareCacheManager implements CacheManager, CacheTagOperations, AutoCloseable {

	private final CacheInfrastructure infrastructure;

	private final Function<String, CacheSettings> settings;

	private final boolean dynamic;

	private final ConcurrentMap<String, TagAwareCache> caches = new ConcurrentHashMap<>();

	private final List<Consumer<TagAwareCache>> creationListeners = new CopyOnWriteArrayList<>();

	private final Invalidations invalidations;

	private final @Nullable NearCoherence nearCoherence;

	/**
	 * @param infrastructure what the caches share
	 * @param settings settings of a cache by name
	 * @param initialCaches caches to create now
	 * @param dynamic whether caches not named up front are created on first use
	 */
	public TagAwareCacheManager(CacheInfrastructure infrastructure, Function<String, CacheSettings> settings,
			Collection<String> initialCaches, boolean dynamic) {
		this(infrastructure, settings, initialCaches, dynamic, null);
	}

	/**
	 * @param infrastructure what the caches share
	 * @param settings settings of a cache by name
	 * @param initialCaches caches to create now
	 * @param dynamic whether caches not named up front are created on first use
	 * @param nearCoherence keeps near caches coherent; {@code null} if no cache has one
	 */
	public TagAwareCacheManager(CacheInfrastructure infrastructure, Function<String, CacheSettings> settings,
			Collection<String> initialCaches, boolean dynamic, @Nullable NearCoherence nearCoherence) {
		this.nearCoherence = nearCoherence;
		this.infrastructure = infrastructure;
		this.settings = settings;
		this.dynamic = dynamic;
		this.invalidations = new Invalidations(infrastructure.store(), infrastructure.keyPrefix(),
				this::localLayouts, (name) -> layoutOf(name, settings.apply(name)),
				(name) -> settings.apply(name).ttl().plus(settings.apply(name).freshness().grace()),
				infrastructure.backoff()::failed);
		if (nearCoherence != null) {
			this.invalidations.applyLocally(nearCoherence);
		}
		initialCaches.forEach(this::create);
	}

	@Override
	public @Nullable TagAwareCache getCache(String name) {
		TagAwareCache cache = this.caches.get(name);
		if (cache != null || !this.dynamic) {
			return cache;
		}
		return create(name);
	}

	private TagAwareCache create(String name) {
		boolean[] created = new boolean[1];
		TagAwareCache cache = this.caches.computeIfAbsent(name, (key) -> {
			created[0] = true;
			return new TagAwareCache(key, this.settings.apply(key), this.infrastructure, this.invalidations,
					this.nearCoherence);
		});
		if (created[0]) {
			this.invalidations.ensureRegistered(cache.layout());
			this.creationListeners.forEach((listener) -> listener.accept(cache));
		}
		return cache;
	}

	/**
	 * Calls the listener for every cache that exists now and for every cache created later (at least once each).
	 */
	public void forEachCache(Consumer<TagAwareCache> listener) {
		this.creationListeners.add(listener);
		new ArrayList<>(this.caches.values()).forEach(listener);
	}

	/**
	 * Purges and evictions, and the ones queued because they could not reach Redis yet.
	 */
	public Invalidations getInvalidations() {
		return this.invalidations;
	}

	private Collection<CacheLayout> localLayouts() {
		List<CacheLayout> layouts = new ArrayList<>();
		for (TagAwareCache cache : this.caches.values()) {
			layouts.add(cache.layout());
		}
		return layouts;
	}

	private static CacheLayout layoutOf(String name, CacheSettings settings) {
		return new CacheLayout(name, settings.version(), settings.shards());
	}

	/**
	 * Where this manager's entries live: the prefix of every Redis key it writes.
	 */
	public String getKeyPrefix() {
		return this.infrastructure.keyPrefix();
	}

	@Override
	public Collection<String> getCacheNames() {
		return Collections.unmodifiableSet(new java.util.TreeSet<>(this.caches.keySet()));
	}

	/**
	 * The caches this instance has created.
	 */
	public Map<String, TagAwareCache> getCaches() {
		return Collections.unmodifiableMap(new TreeMap<>(this.caches));
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Every mark is switched, in every shard of every cache layout, before any entry is removed.
	 * @throws InvalidationPendingException if Redis cannot be reached; the purge is queued and retried until it
	 * is accepted, and this instance reads no cached entries meanwhile
	 */
	@Override
	public long purge(String tag) {
		return purgeIn(null, tag);
	}

	/**
	 * {@inheritDoc}
	 * @throws InvalidationPendingException if Redis cannot be reached; the purge is queued and retried
	 */
	@Override
	public long purge(String cacheName, String tag) {
		return purgeIn(cacheName, tag);
	}

	/**
	 * The tenant of the current call, to purge for it later on another thread or after a transaction.
	 */
	public String currentTenant() {
		return this.infrastructure.tenant();
	}

	/**
	 * Purges a tag, in one cache or in every cache, for the given tenant rather than the current one.
	 * @throws InvalidationPendingException if Redis cannot be reached; the purge is queued and retried
	 */
	public long purgeAs(String tenant, @Nullable String cacheName, String tag) {
		return purgeIn(cacheName, tag, tenant);
	}

	private long purgeIn(@Nullable String cacheName, String tag) {
		return purgeIn(cacheName, tag, this.infrastructure.tenant());
	}

	private long purgeIn(@Nullable String cacheName, String tag, String tenant) {
		Tags.requireValid(tag);
		long started = this.infrastructure.nanoTime();
		Map<String, Long> removed = this.invalidations.purge(cacheName, tag, tenant);
		long nanos = this.infrastructure.nanoTime() - started;
		long total = 0;
		for (Map.Entry<String, Long> entry : removed.entrySet()) {
			TagAwareCache local = this.caches.get(entry.getKey());
			if (local != null) {
				local.recordPurge(entry.getValue(), nanos);
			}
			total += entry.getValue();
		}
		return total;
	}

	/**
	 * What keeps this manager's near caches coherent, or {@code null} if no cache has one.
	 */
	public @Nullable NearCoherence getNearCoherence() {
		return this.nearCoherence;
	}

	/**
	 * Stops following near-cache invalidations.
	 */
	@Override
	public void close() {
		if (this.nearCoherence != null) {
			this.nearCoherence.close();
		}
	}

	@Override
	public Map<String, Long> count(String tag) {
		Tags.requireValid(tag);
		Map<String, Long> counts = new TreeMap<>();
		String tenant = this.infrastructure.tenant();
		for (CacheLayout layout : this.invalidations.layouts(null)) {
			long count = 0;
			for (Namespace namespace : layout.namespaces(this.infrastructure.keyPrefix(), tenant)) {
				count += this.infrastructure.store().count(namespace, tag);
			}
			counts.merge(layout.name(), count, Long::sum);
		}
		return counts;
	}

}
