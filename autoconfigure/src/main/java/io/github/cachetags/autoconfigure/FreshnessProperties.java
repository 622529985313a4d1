package io.github.cachetags.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Refresh-ahead, TTL jitter and stale serving, under {@code cachetags.freshness} for every cache and under
 * {@code cachetags.caches.<name>.freshness} for one cache. A setting left out for a cache takes the one under
 * {@code cachetags.freshness}, and one left out there takes the built-in default given here.
 */
public class FreshnessProperties {

	/**
	 * Whether entries read recently are reloaded in the background before they expire, so a hot key does not
	 * expire under traffic. Applies to reads through a loader: @Cacheable(sync = true), or every eligible
	 * @Cacheable with cachetags.coalescing.mode=all. Default false.
	 */
	private @Nullable Boolean refreshAhead;

	/**
	 * Fraction of the time to live before expiry in which a read entry is refreshed: 0.2 refreshes entries read
	 * in the last 20% of their life. Between 0 and 1, exclusive. Default 0.2.
	 */
	private @Nullable Double refreshThreshold;

	/**
	 * How long an entry may go unread and still be refreshed; entries idle longer are left to expire. Default:
	 * the cache's time to live.
	 */
	private @Nullable Duration refreshIdle;

	/**
	 * Fraction by which each entry's time to live is shortened at random, so that entries written together do not
	 * expire together. From 0 (none) to less than 1. Default 0.
	 */
	private @Nullable Double ttlJitter;

	/**
	 * Weight of probabilistic early refresh on read (XFetch): the longer an entry's load took and the nearer its
	 * expiry, the likelier a read refreshes it in the background. 0 turns it off; 1 is the usual choice.
	 * Default 0.
	 */
	private @Nullable Double earlyRefreshBeta;

	/**
	 * How long after expiry a read through a loader may still be served the previous value while one loader
	 * refreshes it in the background. Default 0 (off).
	 */
	private @Nullable Duration staleWhileRevalidate;

	/**
	 * How long after expiry a read whose load fails is served the previous value instead of the error.
	 * Default 0 (off).
	 */
	private @Nullable Duration staleIfError;

	public @Nullable Boolean getRefreshAhead() {
		return this.refreshAhead;
	}

	public void setRefreshAhead(@Nullable Boolean refreshAhead) {
		this.refreshAhead = refreshAhead;
	}

	public @Nullable Double getRefreshThreshold() {
		return this.refreshThreshold;
	}

	public void setRefreshThreshold(@Nullable Double refreshThreshold) {
		this.refreshThreshold = refreshThreshold;
	}

	public @Nullable Duration getRefreshIdle() {
		return this.refreshIdle;
	}

	public void setRefreshIdle(@Nullable Duration refreshIdle) {
		this.refreshIdle = refreshIdle;
	}

	public @Nullable Double getTtlJitter() {
		return this.ttlJitter;
	}

	public void setTtlJitter(@Nullable Double ttlJitter) {
		this.ttlJitter = ttlJitter;
	}

	public @Nullable Double getEarlyRefreshBeta() {
		return this.earlyRefreshBeta;
	}

	public void setEarlyRefreshBeta(@Nullable Double earlyRefreshBeta) {
		this.earlyRefreshBeta = earlyRefreshBeta;
	}

	public @Nullable Duration getStaleWhileRevalidate() {
		return this.staleWhileRevalidate;
	}

	public void setStaleWhileRevalidate(@Nullable Duration staleWhileRevalidate) {
		this.staleWhileRevalidate = staleWhileRevalidate;
	}

	public @Nullable Duration getStaleIfError() {
		return this.staleIfError;
	}

	public void setStaleIfError(@Nullable Duration staleIfError) {
		this.staleIfError = staleIfError;
	}

}
