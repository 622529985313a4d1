package io.github.cachetags.cache;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.cachetags.cache.TagAwareCache.Target;
import io.github.cachetags.store.RedisTagStore;
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

	private long checkedInvalidations;

	private volatile long lastUsedNanos = System.nanoTime();

	/** Entries of this shard in the near cache now. */
	private final AtomicLong live = new AtomicLong();

	/** Let go: no invalidation reaches it any more, so nothing may be filed in it. */
	private volatile boolean released;

	NearShard(Namespace namespace, String cacheName, String tenant, NearCache cache) {
		this.namespace = namespace;
		this.cacheName = cacheName;
		this.tenant = tenant;
		this.cache = cache;
	}

	/** Notes that a read or a fill used the shard now. */
	void used(long nanos) {
		this.lastUsedNanos = nanos;
	}

	void entryAdded() {
		this.live.incrementAndGet();
	}

	void entryRemoved() {
		this.live.decrementAndGet();
	}

	/**
	 * Whether the shard may be let go: no entry of it is held and it was not used for {@code quietNanos}, or
	 * nothing used it for longer than any entry lives.
	 */
	boolean idleSince(long nanos, long quietNanos, long longestLifeNanos) {
		long idle = nanos - this.lastUsedNanos;
		return (this.live.get() <= 0 && idle > quietNanos) || idle > longestLifeNanos;
	}

	/** Lets the shard go: its entries are invalid, and nothing is filed in it any more. */
	void release() {
		this.released = true;
		reset();
	}

	boolean released() {
		return this.released;
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
	synchronized void track(String currentEpoch, long currentSequence, long currentInvalidations) {
		if (!this.tracked) {
			this.tracked = true;
			this.epoch = currentEpoch;
			this.sequence = currentSequence;
			this.checkedEpoch = currentEpoch;
			this.checkedSequence = currentSequence;
			this.checkedInvalidations = currentInvalidations;
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
		adoptFirstEpoch(messageEpoch);
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
	 * now; the epoch should be the one followed; the sequence should not have gone back (Redis restored from an
	 * older snapshot, or a failover that lost writes); and the invalidation counter should not have moved more than
	 * the sequence (an invalidation made without an announcement, by an instance of an earlier release).
	 * @param followedBefore the sequence this shard had followed before Redis was asked
	 * @return whether messages were lost (the shard's entries were then invalidated)
	 */
	synchronized boolean check(long followedBefore, RedisTagStore.Sequence current) {
		if (!this.tracked) {
			return false;
		}
		adoptFirstEpoch(current.epoch());
		boolean sameEpoch = current.epoch().equals(this.epoch);
		boolean lost = !sameEpoch || (this.checkedEpoch.equals(this.epoch) && this.sequence < this.checkedSequence)
				|| current.sequence() < followedBefore
				|| (this.checkedEpoch.equals(current.epoch()) && current.invalidations()
						- this.checkedInvalidations > current.sequence() - this.checkedSequence);
		if (lost) {
			invalidateAll();
			this.epoch = current.epoch();
			this.sequence = current.sequence();
		}
		this.checkedEpoch = current.epoch();
		this.checkedSequence = current.sequence();
		this.checkedInvalidations = current.invalidations();
		return lost;
	}

	/**
	 * A shard followed before it had a stamp key: the key made since starts a new epoch with its counters at 0, so
	 * its first message is the next one, not a gap, and a check compares the counters with 0.
	 */
	private void adoptFirstEpoch(String epoch) {
		if (this.epoch.isEmpty() && !epoch.isEmpty()) {
			// the key was made with both counters at 0: checks compare what happened since with that
			this.epoch = epoch;
			this.sequence = 0;
			this.checkedEpoch = epoch;
			this.checkedSequence = 0;
			this.checkedInvalidations = 0;
		}
	}

	/** The last sequence number followed. */
	synchronized long followed() {
		return this.sequence;
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
