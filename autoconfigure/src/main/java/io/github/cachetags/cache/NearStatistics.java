package io.github.cachetags.cache;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters of one cache's near cache in this instance since start. Thread-safe.
 */
public final class NearStatistics {

	private final LongAdder hits = new LongAdder();

	private final LongAdder misses = new LongAdder();

	private final LongAdder refusedFills = new LongAdder();

	private final LongAdder invalidations = new LongAdder();

	private final LongAdder gaps = new LongAdder();

	private final LongSupplier size;

	private final LongSupplier evictions;

	NearStatistics(LongSupplier size, LongSupplier evictions) {
		this.size = size;
		this.evictions = evictions;
	}

	void hit() {
		this.hits.increment();
	}

	void miss() {
		this.misses.increment();
	}

	void refusedFill() {
		this.refusedFills.increment();
	}

	void invalidation() {
		this.invalidations.increment();
	}

	void gap() {
		this.gaps.increment();
	}

	/** Reads answered from the near cache. */
	public long hits() {
		return this.hits.sum();
	}

	/** Reads the near cache could not answer (then read from Redis). */
	public long misses() {
		return this.misses.sum();
	}

	/** Values read from Redis not kept because an invalidation arrived while they were read. */
	public long refusedFills() {
		return this.refusedFills.sum();
	}

	/** Invalidation messages applied to the near cache (from any instance, this one included). */
	public long invalidations() {
		return this.invalidations.sum();
	}

	/**
	 * Losses of invalidation messages noticed (a gap in a shard's sequence, or a periodic check), each of which
	 * dropped the shard's near entries.
	 */
	public long gaps() {
		return this.gaps.sum();
	}

	/** Entries removed to respect the maximum size. */
	public long evictions() {
		return this.evictions.getAsLong();
	}

	/** Entries held now (an estimate; invalidated entries are counted until they are next read or evicted). */
	public long size() {
		return this.size.getAsLong();
	}

}
