package io.github.cachetags.cache;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Skips Redis for a while after it failed, so that an outage costs callers one timeout per interval instead of
 * one per call. Reads become misses and writes are dropped while Redis is skipped; the first call after the
 * interval tries Redis again.
 */
public final class OutageBackoff {

	private final long intervalNanos;

	private final LongSupplier nanoTime;

	private volatile long skipUntilNanos;

	private volatile boolean failing;

	public OutageBackoff(Duration interval, LongSupplier nanoTime) {
		this.intervalNanos = interval.toNanos();
		this.nanoTime = nanoTime;
	}

	/** Whether Redis should be tried now. */
	public boolean allowsCall() {
		return !this.failing || this.nanoTime.getAsLong() - this.skipUntilNanos >= 0;
	}

	/** Whether the last call to Redis failed. */
	public boolean isFailing() {
		return this.failing;
	}

	void failed() {
		this.skipUntilNanos = this.nanoTime.getAsLong() + this.intervalNanos;
		this.failing = true;
	}

	void succeeded() {
		if (this.failing) {
			this.failing = false;
		}
	}

}
