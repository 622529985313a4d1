package io.github.cachetags.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.github.cachetags.cache.TagAwareCache.Target;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueWrapper;

/**
 * One cache's near cache: values read from Redis kept in this instance's memory (Caffeine), so a repeated read
 * costs no round trip.
 * <p>
 * An entry is kept only while it is valid in Redis (never past the time Redis would still serve it without
 * refreshing) and at most {@link NearSettings#expireAfterWrite()}. It is dropped when an invalidation of its key,
 * of one of its tags or of its shard reaches this instance (see {@link NearCoherence}); a value whose Redis read
 * was sent before an invalidation of its shard arrived is not kept. Values are held by reference, as Spring's
 * {@code CaffeineCacheManager} holds them: callers must not change a value they read.
 */
final class NearCache {

	private final String cacheName;

	private final NearSettings settings;

	private final NearCoherence coherence;

	private final LongSupplier ticker;

	private final Cache<Target, NearShard.Entry> entries;

	private final NearStatistics statistics;

	private final Duration longestLife;

	/**
	 * @param ttl the cache's time to live: no near entry lives longer
	 */
	NearCache(String cacheName, NearSettings settings, Duration ttl, NearCoherence coherence, LongSupplier ticker) {
		this.cacheName = cacheName;
		this.longestLife = (settings.expireAfterWrite() != null && settings.expireAfterWrite().compareTo(ttl) < 0)
				? settings.expireAfterWrite() : ttl;
		this.settings = settings;
		this.coherence = coherence;
		this.ticker = ticker;
		this.entries = Caffeine.newBuilder()
			.maximumSize(settings.maximumSize())
			.expireAfter(new UntilInvalid())
			.ticker(ticker::getAsLong)
			.removalListener((Target key, NearShard.@Nullable Entry entry, RemovalCause cause) -> {
				if (entry != null) {
					entry.shard().entryRemoved();
				}
			})
			.recordStats()
			.build();
		this.statistics = new NearStatistics(this.entries::estimatedSize,
				() -> this.entries.stats().evictionCount());
	}

	NearSettings settings() {
		return this.settings;
	}

	/** The longest a near entry of this cache can live. */
	Duration longestLife() {
		return this.longestLife;
	}

	NearStatistics statistics() {
		return this.statistics;
	}

	/**
	 * The valid near entry of a key, or {@code null}.
	 */
	NearShard.@Nullable Entry get(Target target) {
		NearShard.Entry entry = this.entries.getIfPresent(target);
		if (entry == null) {
			this.statistics.miss();
			return null;
		}
		if (!entry.current() || !this.coherence.trusted()) {
			this.entries.asMap().remove(target, entry);
			this.statistics.miss();
			return null;
		}
		this.statistics.hit();
		return entry;
	}

	/**
	 * Where the key's shard stands before a Redis call is sent; pass it to {@link #fill}.
	 */
	Ticket ticket(Target target) {
		long sent = this.ticker.getAsLong();
		if (!this.coherence.trusted()) {
			return new Ticket(null, 0, sent);
		}
		NearShard shard = shard(target);
		// where the shard stands in the sequence is known before the read is sent: an invalidation after that is
		// either in a message or noticed by a check
		if (!this.coherence.track(shard)) {
			return new Ticket(null, 0, sent);
		}
		shard.used(System.nanoTime());
		return new Ticket(shard, shard.changes(), sent);
	}

	/**
	 * Keeps a value just read from Redis or stored in it, unless an invalidation of its shard arrived since the
	 * ticket was taken, or the subscription to invalidations is not trusted.
	 * @param validMillis how long Redis serves the value without refreshing it, counted from when Redis ran the
	 * call; the near entry's time is counted from when the call was sent, so it never outlives the Redis entry
	 */
	void fill(Target target, Ticket ticket, ValueWrapper value, List<String> tags, long validMillis,
			long loadMillis) {
		long keepMillis = validMillis;
		if (this.settings.expireAfterWrite() != null) {
			keepMillis = Math.min(keepMillis, this.settings.expireAfterWrite().toMillis());
		}
		long validUntil = ticket.sentNanos() + TimeUnit.MILLISECONDS.toNanos(validMillis);
		long expiresAt = ticket.sentNanos() + TimeUnit.MILLISECONDS.toNanos(keepMillis);
		if (expiresAt - this.ticker.getAsLong() <= 0) {
			return;
		}
		NearShard shard = ticket.shard();
		if (shard == null || !this.coherence.trusted() || !shard.tracked()) {
			this.statistics.refusedFill();
			return;
		}
		long clears = shard.clears();
		AtomicLong[] generations = shard.generations(tags);
		long[] seen = new long[generations.length];
		for (int i = 0; i < seen.length; i++) {
			seen[i] = generations[i].get();
		}
		if (shard.changes() != ticket.changes()) {
			this.statistics.refusedFill();
			return;
		}
		NearShard.Entry entry = new NearShard.Entry(shard, value, clears, generations, seen, expiresAt, validUntil,
				loadMillis);
		// checked and filed in one step: an invalidation of the key that returns after this never finds it missing
		// and then sees it appear, and one that came first refuses it
		boolean[] filed = new boolean[1];
		this.entries.asMap().compute(target, (key, old) -> {
			if (shard.changes() != ticket.changes() || shard.released()) {
				return old;
			}
			filed[0] = true;
			shard.entryAdded();
			return entry;
		});
		shard.used(System.nanoTime());
		if (!filed[0]) {
			this.statistics.refusedFill();
		}
	}

	/**
	 * Drops a key's near entry on behalf of this instance (a put or an eviction it makes).
	 */
	void invalidate(Target target) {
		this.coherence.evicted(target.namespace(), target.userKey());
	}

	void remove(Target target) {
		this.entries.invalidate(target);
	}

	void removeAll() {
		this.entries.invalidateAll();
	}

	void counted(boolean gap) {
		this.statistics.invalidation();
		if (gap) {
			this.statistics.gap();
		}
	}

	void gap() {
		this.statistics.gap();
	}

	/**
	 * How long Redis goes on serving a near entry's value without refreshing it.
	 */
	long validMillis(NearShard.Entry entry) {
		return TimeUnit.NANOSECONDS.toMillis(entry.validUntilNanos() - this.ticker.getAsLong());
	}

	private NearShard shard(Target target) {
		return this.coherence.shard(target.namespace(), this.cacheName, target.tenant(), this);
	}

	/**
	 * Where a shard stood, and when, before a Redis call whose answer may be kept.
	 */
	record Ticket(@Nullable NearShard shard, long changes, long sentNanos) {
	}

	/** Each entry expires when its fill said. */
	private static final class UntilInvalid implements Expiry<Target, NearShard.Entry> {

		@Override
		public long expireAfterCreate(Target key, NearShard.Entry value, long currentTime) {
			return Math.max(0, value.expiresAtNanos() - currentTime);
		}

		@Override
		public long expireAfterUpdate(Target key, NearShard.Entry value, long currentTime, long currentDuration) {
			return Math.max(0, value.expiresAtNanos() - currentTime);
		}

		@Override
		public long expireAfterRead(Target key, NearShard.Entry value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
