package io.github.cachetags.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one cache in this instance since start. Thread-safe; read them at any time.
 */
public final class CacheStatistics {

	private final LongAdder hits = new LongAdder();

	private final LongAdder misses = new LongAdder();

	private final LongAdder puts = new LongAdder();

	private final LongAdder refusedPuts = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	private final LongAdder purges = new LongAdder();

	private final LongAdder purgedEntries = new LongAdder();

	private final LongAdder purgeNanos = new LongAdder();

	private final LongAdder loads = new LongAdder();

	private final LongAdder loadFailures = new LongAdder();

	private final LongAdder loadNanos = new LongAdder();

	private final LongAdder coalesced = new LongAdder();

	private final LongAdder errors = new LongAdder();

	private final LongAdder refreshes = new LongAdder();

	private final LongAdder refreshFailures = new LongAdder();

	private final LongAdder refreshesRejected = new LongAdder();

	private final LongAdder staleServed = new LongAdder();

	void hit() {
		this.hits.increment();
	}

	void miss() {
		this.misses.increment();
	}

	void put() {
		this.puts.increment();
	}

	void refusedPut() {
		this.refusedPuts.increment();
	}

	void eviction() {
		this.evictions.increment();
	}

	void purge(long entries, long nanos) {
		this.purges.increment();
		this.purgedEntries.add(entries);
		this.purgeNanos.add(nanos);
	}

	void load(boolean succeeded, long nanos) {
		if (succeeded) {
			this.loads.increment();
		}
		else {
			this.loadFailures.increment();
		}
		this.loadNanos.add(nanos);
	}

	void coalescedWait() {
		this.coalesced.increment();
	}

	void error() {
		this.errors.increment();
	}

	void refresh(boolean succeeded) {
		if (succeeded) {
			this.refreshes.increment();
		}
		else {
			this.refreshFailures.increment();
		}
	}

	void refreshRejected() {
		this.refreshesRejected.increment();
	}

	void servedStale() {
		this.staleServed.increment();
	}

	public long hits() {
		return this.hits.sum();
	}

	public long misses() {
		return this.misses.sum();
	}

	/** Values stored. */
	public long puts() {
		return this.puts.sum();
	}

	/** Values not stored because a purge, clear or eviction happened after their load began. */
	public long refusedPuts() {
		return this.refusedPuts.sum();
	}

	public long evictions() {
		return this.evictions.sum();
	}

	/** Purges and clears applied to this cache. */
	public long purges() {
		return this.purges.sum();
	}

	public long purgedEntries() {
		return this.purgedEntries.sum();
	}

	/** Time spent purging, in nanoseconds. */
	public long purgeNanos() {
		return this.purgeNanos.sum();
	}

	/** Values loaded through this cache (synchronized {@code @Cacheable} and {@code get(key, loader)}). */
	public long loads() {
		return this.loads.sum();
	}

	/** Loads that threw. */
	public long loadFailures() {
		return this.loadFailures.sum();
	}

	/** Time spent loading, successful or not, in nanoseconds. */
	public long loadNanos() {
		return this.loadNanos.sum();
	}

	/** Misses that waited for another caller's load (in this or another instance) instead of loading. */
	public long coalesced() {
		return this.coalesced.sum();
	}

	/** Redis errors and unreadable entries met by this cache. */
	public long errors() {
		return this.errors.sum();
	}

	/** Entries reloaded in the background ahead of their expiry. */
	public long refreshes() {
		return this.refreshes.sum();
	}

	/** Background refreshes whose load threw; the previous value stayed. */
	public long refreshFailures() {
		return this.refreshFailures.sum();
	}

	/** Background refreshes skipped because the refresh executor was full. */
	public long refreshesRejected() {
		return this.refreshesRejected.sum();
	}

	/** Reads served a value past its expiry (stale-while-revalidate or stale-if-error). */
	public long staleServed() {
		return this.staleServed.sum();
	}

}
