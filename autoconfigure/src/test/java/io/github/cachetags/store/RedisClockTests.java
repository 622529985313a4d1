package io.github.cachetags.store;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clock estimate never runs ahead of the Redis clock, tested with a moved local clock.
 */
class RedisClockTests {

	private final AtomicLong localNanos = new AtomicLong(1_000_000_000L);

	private final AtomicLong redisMicrosAtZero = new AtomicLong(1_700_000_000_000_000L);

	private final AtomicInteger timeCalls = new AtomicInteger();

	private final RedisClock clock = new RedisClock(() -> {
		this.timeCalls.incrementAndGet();
		return redisNow();
	}, this.localNanos::get);

	private long redisNow() {
		return this.redisMicrosAtZero.get() + this.localNanos.get() / 1000;
	}

	@Test
	void firstEstimateAsksRedisOnceAndStaysBelowItsClock() {
		long estimate = this.clock.lowerBoundMicros();

		assertThat(estimate).isLessThanOrEqualTo(redisNow());
		assertThat(redisNow() - estimate).isLessThanOrEqualTo(RedisClock.MARGIN.toNanos() / 1000);
		this.clock.lowerBoundMicros();
		assertThat(this.timeCalls).hasValue(1);
	}

	@Test
	void estimatesFollowTheLocalClockWithoutRoundTrips() {
		this.clock.lowerBoundMicros();
		this.localNanos.addAndGet(5_000_000_000L);

		long estimate = this.clock.lowerBoundMicros();

		assertThat(estimate).isLessThanOrEqualTo(redisNow());
		assertThat(this.timeCalls).hasValue(1);
	}

	@Test
	void oldSamplesWidenTheMarginForDrift() {
		this.clock.lowerBoundMicros();
		long freshGap = redisNow() - this.clock.lowerBoundMicros();
		this.localNanos.addAndGet(3_600_000_000_000L);

		long staleGap = redisNow() - this.clock.lowerBoundMicros();

		assertThat(staleGap - freshGap).isEqualTo(3_600 * RedisClock.DRIFT_PER_MILLION);
	}

	@Test
	void aRedisClockRunningSlowerIsAbsorbedByNewSamples() {
		this.clock.lowerBoundMicros();
		this.localNanos.addAndGet(20_000_000_000L);
		this.redisMicrosAtZero.addAndGet(-3_000);
		this.clock.observe(redisNow(), this.localNanos.get());

		assertThat(this.clock.lowerBoundMicros()).isLessThanOrEqualTo(redisNow());
	}

}
