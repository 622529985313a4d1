package io.github.cachetags.cache;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * How one cache keeps entries fresh around their expiry.
 *
 * @param refreshAhead whether entries read recently are reloaded in the background before they expire
 * @param refreshWithin fraction of the time to live before expiry in which a refresh starts: 0.2 refreshes an
 * entry read in the last 20% of its life
 * @param idle how long an entry may go unread and still be refreshed; {@code null} for the time to live
 * @param ttlJitter fraction by which each entry's time to live is shortened at random, so entries written
 * together do not expire together; 0 for none
 * @param earlyRefreshBeta weight of probabilistic early refresh on read (XFetch): the longer an entry's load
 * took and the nearer its expiry, the likelier a read refreshes it; 0 for none, 1 is the usual choice
 * @param staleWhileRevalidate how long after expiry a read may still get the previous value while one loader
 * refreshes it in the background; zero for none
 * @param staleIfError how long after expiry a read whose load fails gets the previous value instead of the
 * error; zero for none
 */
public record Freshness(boolean refreshAhead, double refreshWithin, @Nullable Duration idle, double ttlJitter,
		double earlyRefreshBeta, Duration staleWhileRevalidate, Duration staleIfError) {

	/** Entries simply expire: no refresh, no jitter, no stale values. */
	public static final Freshness NONE = new Freshness(false, 0.2, null, 0, 0, Duration.ZERO, Duration.ZERO);

	public Freshness {
		Assert.isTrue(refreshWithin > 0 && refreshWithin < 1, "refreshWithin must be between 0 and 1");
		Assert.isTrue(ttlJitter >= 0 && ttlJitter < 1, "ttlJitter must be from 0 to less than 1");
		Assert.isTrue(earlyRefreshBeta >= 0, "earlyRefreshBeta must not be negative");
		Assert.isTrue(!staleWhileRevalidate.isNegative(), "staleWhileRevalidate must not be negative");
		Assert.isTrue(!staleIfError.isNegative(), "staleIfError must not be negative");
	}

	/**
	 * How long an entry outlives its time to live in Redis, to be served stale.
	 */
	public Duration grace() {
		return (this.staleWhileRevalidate.compareTo(this.staleIfError) >= 0) ? this.staleWhileRevalidate
				: this.staleIfError;
	}

	/**
	 * How long an entry that Redis keeps for {@code remainingMillis} more is served without refreshing it: that
	 * time less the grace period in which it may be served stale; {@link Long#MAX_VALUE} for an entry without
	 * expiry.
	 */
	long validMillis(long remainingMillis) {
		return (remainingMillis == Long.MAX_VALUE) ? Long.MAX_VALUE : remainingMillis - grace().toMillis();
	}

	/**
	 * Whether reads with a loader register their key with the refresh scheduler.
	 */
	boolean needsScheduler() {
		return this.refreshAhead || this.earlyRefreshBeta > 0 || !this.staleWhileRevalidate.isZero();
	}

}
