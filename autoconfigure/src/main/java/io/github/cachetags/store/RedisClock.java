package io.github.cachetags.store;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A lower bound of the Redis server's clock, read without a round trip.
 * <p>
 * Stale-set protection compares a load's start with the Redis time of later purges, so the start must never be
 * later than the true Redis time. Each sample (a {@code TIME} reply, or the time a miss reply carries) bounds the
 * offset between the local monotonic clock and Redis from below: the server read its clock before the reply
 * arrived. The best bound of the last {@link #SAMPLE_LIFETIME} is used, minus {@link #MARGIN} and a further
 * {@link #DRIFT_PER_MILLION} microseconds per second of the sample's age for drift. Only the very first estimate
 * costs a {@code TIME} call; after that, every miss reply brings a fresh sample, so the hit path never waits.
 */
public final class RedisClock {

	/** How long one sample is trusted. */
	static final Duration SAMPLE_LIFETIME = Duration.ofSeconds(10);

	/** Subtracted from every estimate to absorb clock drift between samples. */
	static final Duration MARGIN = Duration.ofMillis(2);

	/** Assumed worst drift between the local and the Redis clock, in parts per million. */
	static final long DRIFT_PER_MILLION = 200;

	private final LongSupplier serverTimeMicros;

	private final LongSupplier nanoTime;

	private volatile Sample best = new Sample(Long.MIN_VALUE, Long.MIN_VALUE);

	/**
	 * @param serverTimeMicros reads the Redis time in microseconds (one round trip)
	 * @param nanoTime the local monotonic clock, {@link System#nanoTime()} outside tests
	 */
	public RedisClock(LongSupplier serverTimeMicros, LongSupplier nanoTime) {
		this.serverTimeMicros = serverTimeMicros;
		this.nanoTime = nanoTime;
	}

	/**
	 * Returns a time in microseconds that is not later than the Redis server's clock now.
	 */
	public long lowerBoundMicros() {
		long now = this.nanoTime.getAsLong();
		Sample sample = this.best;
		if (sample.takenAtNanos == Long.MIN_VALUE) {
			long micros = this.serverTimeMicros.getAsLong();
			long after = this.nanoTime.getAsLong();
			observe(micros, after);
			now = after;
			sample = this.best;
		}
		long ageMicros = Math.max(0, now - sample.takenAtNanos) / 1000;
		long drift = ageMicros / 1_000_000 * DRIFT_PER_MILLION + ageMicros % 1_000_000 * DRIFT_PER_MILLION / 1_000_000;
		return now / 1000 + sample.offsetMicros - MARGIN.toNanos() / 1000 - drift;
	}

	/**
	 * Records a Redis time read by the server before {@code receivedAtNanos} (local monotonic clock).
	 */
	public void observe(long redisMicros, long receivedAtNanos) {
		long offset = redisMicros - receivedAtNanos / 1000;
		Sample current = this.best;
		boolean expired = current.takenAtNanos == Long.MIN_VALUE
				|| receivedAtNanos - current.takenAtNanos > SAMPLE_LIFETIME.toNanos();
		if (expired || offset > current.offsetMicros) {
			this.best = new Sample(offset, receivedAtNanos);
		}
	}

	private record Sample(long offsetMicros, long takenAtNanos) {
	}

}
