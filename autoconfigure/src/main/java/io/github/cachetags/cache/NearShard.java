package io.github.cachetags.cache;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.cachetags.cache.TagAwareCache.Target;
import io.github.cachetags.store.Namespace;

/**
 * What one instance knows about one cache shard's near entries: generations that invalidations raise, and where
 * the shard stands in the sequence of invalidations Redis announced.
 * <p>
 * An entry records the shard's and its tags' generations when it is filled and is valid while they hold, so a tag
 * purge or a clear costs one increment, not a walk over entries. {@link #changes} moves on every invalidation
 * applied to the shard: a fill whose Redis read was sent before it moved is refused (the fill race).
 */
final class NearShard {

	final Namespace namespace;

	final String cacheName;

	final String tenant;

	final NearCache cache;

	private final AtomicLong changes = new AtomicLong();

	private final AtomicLong clears = new AtomicLong();

	/** Generation of each tag that live entries carry; a tag no entry refers to is forgotten. */
	private final com.github.benmanes.caffeine.cache.Cache<String, AtomicLong> tags = Caffeine.newBuilder()
		.weakValues()
		.build();

	// where the shard stands in the announced sequence; guarded by this
	private boolean tracked;

	private String epoch = "";

	private long sequence;

	private String checkedEpoch = "";

	private long checkedSequence = -1;

	private volatile long lastFillNanos = System.nanoTime();

	NearShard(Namespace namespace, String cacheName, String tenant, NearCache cache) {
		this.namespace = namespace;
		this.cacheName = cacheName;
		this.tenant = tenant;
		this.cache = cache;
	}

	/** Notes that an entry was filed now. */
	void filled(long nanos) {
		this.lastFillNanos = nanos;
	}

	/** Whether every entry filed in this shard has expired by now. */
	boolean idleSince(long nanos, long longestLifeNanos) {
		return nanos - this.lastFillNanos > longestLifeNanos;
	}

	/** A fill may keep a value read from Redis only if this has not moved since before the read was sent. */
	long changes() {
		return this.changes.get();
	}

	long clears() {
		return this.clears.get();
	}

	/** The generation holders of the given tags, created as needed; an entry keeps them alive. */
	AtomicLong[] generations(List<String> entryTags) {
		AtomicLong[] generations = new AtomicLong[entryTags.size()];
		for (int i = 0; i < generations.length; i++) {
			generations[i] = this.tags.get(entryTags.get(i), (tag) -> new AtomicLong());
		}
		return generations;
	}

	/** Invalidates one key's near entry. */
	void invalidateKey(String userKey) {
		this.changes.incrementAndGet();
		this.cache.remove(new Target(this.namespace, userKey, this.tenant));
	}

	/** Invalidates the near entries of one tag; the cache-wide tag ({@code ""}) invalidates all of them. */
	void invalidateTag(String tag) {
		this.changes.incrementAndGet();
		if (tag.isEmpty()) {
			this.clears.incrementAndGet();
			return;
		}
		AtomicLong generation = this.tags.getIfPresent(tag);
		if (generation != null) {
			generation.incrementAndGet();
		}
	}

	/** Invalidates every near entry of the shard. */
	void invalidateAll() {
		this.changes.incrementAndGet();
		this.clears.incrementAndGet();
	}

	/** Invalidates everything and forgets the shard's place in the sequence (the subscription is not trusted). */
	synchronized void reset() {
		invalidateAll();
		this.tracked = false;
	}

	synchronized boolean tracked() {
		return this.tracked;
	}

	/** Starts following the sequence from where Redis says it stands. */
	synchronized void track(String currentEpoch, long currentSequence) {
		if (!this.tracked) {
			this.tracked = true;
			this.epoch = currentEpoch;
			this.sequence = currentSequence;
			this.checkedEpoch = currentEpoch;
			this.checkedSequence = currentSequence;
		}
	}

	/**
	 * Follows one announced invalidation's place in the sequence.
	 * @return whether messages were lost before it (the shard's entries were then invalidated)
	 */
	synchronized boolean follow(String messageEpoch, long messageSequence) {
		if (!this.tracked) {
			return false;
		}
		if (messageEpoch.equals(this.epoch)) {
			if (messageSequence <= this.sequence) {
				return false;
			}
			if (messageSequence == this.sequence + 1) {
				this.sequence = messageSequence;
				return false;
			}
		}
		invalidateAll();
		this.epoch = messageEpoch;
		this.sequence = messageSequence;
		return true;
	}

	/**
	 * Compares the sequence with Redis: every message announced before the previous check should have arrived by
	 * now, and the epoch should be the one followed.
	 * @return whether messages were lost (the shard's entries were then invalidated)
	 */
	synchronized boolean check(String currentEpoch, long currentSequence) {
		if (!this.tracked) {
			return false;
		}
		boolean lost = !currentEpoch.equals(this.epoch)
				|| (this.checkedEpoch.equals(this.epoch) && this.sequence < this.checkedSequence);
		if (lost) {
			invalidateAll();
			this.epoch = currentEpoch;
			this.sequence = currentSequence;
		}
		this.checkedEpoch = currentEpoch;
		this.checkedSequence = currentSequence;
		return lost;
	}

	/**
	 * An entry filed in this shard: valid while no invalidation of the shard or of one of its tags came after its
	 * fill.
	 */
	record Entry(NearShard shard, org.springframework.cache.Cache.ValueWrapper value, long clears, AtomicLong[] tags, long[] seen,
			long expiresAtNanos, long validUntilNanos, long loadMillis) {

		boolean current() {
			if (this.shard.clears() != this.clears) {
				return false;
			}
			for (int i = 0; i < this.tags.length; i++) {
				if (this.tags[i].get() != this.seen[i]) {
					return false;
				}
			}
			return true;
		}

	}

}
