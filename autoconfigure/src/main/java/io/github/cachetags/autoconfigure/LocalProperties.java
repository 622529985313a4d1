package io.github.cachetags.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The near cache (Caffeine, in this instance's memory) in front of Redis, under {@code cachetags.local} for every
 * cache and under {@code cachetags.caches.<name>.local} for one cache. A setting left out for a cache takes the
 * one under {@code cachetags.local}, and one left out there takes the built-in default given here.
 */
public class LocalProperties {

	/**
	 * Whether recently read values are also kept in this instance's memory, so that reading them again costs no
	 * Redis round trip. Needs Caffeine on the class path. Default false.
	 */
	private @Nullable Boolean enabled;

	/**
	 * Most entries the near cache of one cache keeps; the least used go first. Default 10000.
	 */
	private @Nullable Long maximumSize;

	/**
	 * Longest time a value is kept near after it was read from Redis. Default: as long as Redis serves it without
	 * refreshing it (its time to live, less the stale grace period).
	 */
	private @Nullable Duration expireAfterWrite;

	/**
	 * Longest time another instance's purge, eviction or put may take to reach this near cache when its
	 * invalidation message is lost; the invalidations channel is checked three times in this period. At least
	 * 10ms. Default 1s.
	 */
	private @Nullable Duration maxStaleness;

	public @Nullable Boolean getEnabled() {
		return this.enabled;
	}

	public void setEnabled(@Nullable Boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable Long getMaximumSize() {
		return this.maximumSize;
	}

	public void setMaximumSize(@Nullable Long maximumSize) {
		this.maximumSize = maximumSize;
	}

	public @Nullable Duration getExpireAfterWrite() {
		return this.expireAfterWrite;
	}

	public void setExpireAfterWrite(@Nullable Duration expireAfterWrite) {
		this.expireAfterWrite = expireAfterWrite;
	}

	public @Nullable Duration getMaxStaleness() {
		return this.maxStaleness;
	}

	public void setMaxStaleness(@Nullable Duration maxStaleness) {
		this.maxStaleness = maxStaleness;
	}

}
