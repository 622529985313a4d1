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

	private final LongAdder errors = new LongAdder();

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

	void error() {
		this.errors.increment();
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

	/** Redis errors and unreadable entries met by this cache. */
	public long errors() {
		return this.errors.sum();
	}

}
