package io.github.cachetags.cache;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.github.cachetags.cache.TagAwareCache.Target;
import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.store.RedisTagStore.StoreResult;
import io.github.cachetags.store.RefreshDecision;
import io.github.cachetags.tags.Tags;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.support.NullValue;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * The Redis tier of one cache: reads, stores and lease calls for its entries, each one round trip through
 * {@link RedisTagStore}, turning Redis trouble into misses and dropped writes (logged, counted, followed by a
 * back-off) instead of exceptions. While this instance has invalidations it could not send, it reads and stores
 * nothing. Values read or stored here are kept in the near cache, if the cache has one, under a ticket taken
 * before the call was sent.
 */
final class RedisEntries {

	private static final byte[] NULL_VALUE = new byte[0];

	private final String name;

	private final CacheLayout layout;

	private final CacheSettings settings;

	private final CacheInfrastructure infrastructure;

	private final CacheStatistics statistics;

	private final Invalidations invalidations;

	private final @Nullable NearCache near;

	RedisEntries(CacheLayout layout, CacheSettings settings, CacheInfrastructure infrastructure,
			CacheStatistics statistics, Invalidations invalidations, @Nullable NearCache near) {
		this.name = layout.name();
		this.layout = layout;
		this.settings = settings;
		this.infrastructure = infrastructure;
		this.statistics = statistics;
		this.invalidations = invalidations;
		this.near = near;
	}

	/**
	 * Where the key's near shard stands before a Redis call is sent, or {@code null} without a near cache.
	 */
	NearCache.@Nullable Ticket nearTicket(Target target) {
		return (this.near != null) ? this.near.ticket(target) : null;
	}

	/**
	 * Reads an entry, asking for the load lease on a miss when a token is given; never throws.
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
				.lookup(target.namespace(), target.userKey(), leaseToken, this.infrastructure.coalescing().leaseTime(),
						this.near != null);
			this.infrastructure.succeeded();
			return lookup;
		}
		catch (RuntimeException ex) {
			failed("read", ex);
			return Lookup.Miss.UNREACHED;
		}
	}

	/**
	 * The value of a hit, kept near if it is valid and nothing invalidated its shard since {@code nearTicket} was
	 * taken; {@code null} for a miss or an entry that cannot be read (which is removed).
	 */
	@Nullable ValueWrapper read(Target target, Lookup lookup, NearCache.@Nullable Ticket nearTicket) {
		if (!(lookup instanceof Lookup.Hit hit)) {
			return null;
		}
		ValueWrapper value = decode(target, hit);
		long valid = this.settings.freshness().validMillis(hit.remainingMillis());
		if (value != null && this.near != null && nearTicket != null && valid > 0) {
			this.near.fill(target, nearTicket, value, hit.tags(), valid, hit.loadMillis());
		}
		return value;
	}

	private @Nullable ValueWrapper decode(Target target, Lookup.Hit hit) {
		if (hit.value().length == 0) {
			return new SimpleValueWrapper(null);
		}
		try {
			Object value = this.infrastructure.serializer().deserialize(hit.value());
			return new SimpleValueWrapper((value instanceof NullValue) ? null : value);
		}
		catch (RuntimeException ex) {
			failed("deserialize entry '" + target.userKey() + "', which is removed", ex);
			delete(target, "remove an unreadable entry");
			return null;
		}
	}

	/**
	 * Removes an entry that cannot be used (unreadable, or of another type than its reader declares); never
	 * throws.
	 */
	void delete(Target target, String action) {
		if (this.near != null) {
			this.near.invalidate(target);
		}
		try {
			this.infrastructure.store().delete(target.namespace(), target.userKey());
		}
		catch (RuntimeException ex) {
			failed(action, ex);
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
			failed("store a loaded value", ex);
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
				if (this.near != null && ticket != null) {
					// what a read would now return, kept near without reading it back
					this.near.fill(target, ticket, new SimpleValueWrapper((value instanceof NullValue) ? null : value),
							tagList, this.settings.freshness().validMillis(ttl.toMillis()), loadNanos / 1_000_000);
				}
			}
			else if (result == StoreResult.REFUSED) {
				this.statistics.refusedPut();
			}
			return result;
		}
		catch (RuntimeException ex) {
			failed("write", ex);
			return null;
		}
	}

	/**
	 * Stores a value the caller vouches for, replacing the key's entry, ordered after the load start its tags
	 * give; if it cannot be stored, the key is removed instead (queued if Redis is unreachable). The near entry of
	 * the key is dropped before and after.
	 * @throws IllegalArgumentException if the value cannot be stored (the key is removed)
	 */
	void replace(Target target, @Nullable Object value, EntryTags tags) {
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
			failed("write", ex);
			removeLater(target);
		}
		finally {
			if (this.near != null) {
				this.near.invalidate(target);
			}
		}
	}

	/**
	 * @throws IllegalArgumentException if the value is {@code null} and the cache does not store nulls
	 */
	void requireStorable(@Nullable Object value) {
		if (value == null && !this.settings.cacheNullValues()) {
			throw new IllegalArgumentException("Cache '" + this.name
					+ "' does not store null values; use unless=\"#result == null\" or enable cache-null-values");
		}
	}

	/** Queues the removal of a key whose new value could not be sent. */
	private void removeLater(Target target) {
		this.invalidations.evictLater(this.name, target.tenant(), target.namespace(), target.userKey());
	}

	private void invalidateQuietly(Target target) {
		try {
			this.invalidations.evict(this.name, target.tenant(), target.namespace(), target.userKey());
		}
		catch (RuntimeException ex) {
			failed("remove a key whose new value was not stored", ex);
		}
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
			failed("read a load start", ex);
			return LoadStart.UNKNOWN;
		}
	}

	/**
	 * The load starts of a replacing write that begins now, per shard of the current tenant.
	 */
	Map<Namespace, LoadStart> loadStartsNow() {
		Map<Namespace, LoadStart> starts = new HashMap<>();
		String tenant = this.infrastructure.tenant();
		for (Namespace namespace : this.layout.namespaces(this.infrastructure.keyPrefix(), tenant)) {
			starts.put(namespace, loadStartNow(new Target(namespace, "", tenant)));
		}
		return starts;
	}

	/**
	 * Takes over a lease this instance abandoned; never throws.
	 */
	boolean takeOverLease(Target target, String abandoned, String leaseToken) {
		try {
			return this.infrastructure.store()
				.takeOver(target.namespace(), target.userKey(), abandoned, leaseToken,
						this.infrastructure.coalescing().leaseTime());
		}
		catch (RuntimeException ex) {
			failed("take over an abandoned load lease", ex);
			return false;
		}
	}

	/**
	 * Whether Redis may be used now: not being skipped after a failure, and no invalidation of this instance
	 * waiting to be sent.
	 */
	boolean usable() {
		return this.infrastructure.redisAllowed() && this.invalidations.pending() == 0;
	}

	/**
	 * Takes the key's lease for a refresh ahead of expiry unless the entry is gone or still lives longer than
	 * {@code refreshWithin}; never throws.
	 * @return the decision, or {@code null} if Redis could not be asked
	 */
	@Nullable RefreshDecision tryRefresh(Target target, String leaseToken, Duration refreshWithin) {
		try {
			return this.infrastructure.store()
				.tryRefresh(target.namespace(), target.userKey(), leaseToken,
						this.infrastructure.coalescing().leaseTime(), refreshWithin);
		}
		catch (RuntimeException ex) {
			failed("start a refresh", ex);
			return null;
		}
	}

	void release(Target target, String leaseToken) {
		try {
			this.infrastructure.store().release(target.namespace(), target.userKey(), leaseToken);
		}
		catch (RuntimeException ex) {
			failed("release a load lease", ex);
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

	void failed(String action, RuntimeException ex) {
		this.infrastructure.failed(this.name, this.statistics, action, ex);
	}

}
