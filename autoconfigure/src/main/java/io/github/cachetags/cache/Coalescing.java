package io.github.cachetags.cache;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How concurrent misses on one key are coalesced.
 *
 * @param enabled whether misses are coalesced at all
 * @param leaseTime how long one instance may load a key before others stop waiting and load it themselves
 * @param firstPoll first wait before a waiter in another instance reads the entry again
 * @param maxPoll longest wait between two reads of a waiter, which doubles its wait each time
 */
public record Coalescing(boolean enabled, Duration leaseTime, Duration firstPoll, Duration maxPoll) {

	/** Coalescing with a 10 s lease, polling from 2 ms up to 50 ms. */
	public static final Coalescing DEFAULTS = new Coalescing(true, Duration.ofSeconds(10), Duration.ofMillis(2),
			Duration.ofMillis(50));

	public Coalescing {
		Assert.isTrue(leaseTime.toMillis() >= 1, "leaseTime must be at least 1ms");
		Assert.isTrue(!firstPoll.isNegative() && !firstPoll.isZero(), "firstPoll must be positive");
		Assert.isTrue(maxPoll.compareTo(firstPoll) >= 0, "maxPoll must not be less than firstPoll");
	}

}
