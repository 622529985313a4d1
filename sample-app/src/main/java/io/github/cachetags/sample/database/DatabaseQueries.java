package io.github.cachetags.sample.database;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

/**
 * Runs every query of the sample: counts it and adds {@code sample.db.latency}, so that a cache hit (no query,
 * no latency) and a miss are easy to tell apart.
 */
@Component
public class DatabaseQueries {

	private final AtomicLong count = new AtomicLong();

	private final Duration latency;

	public DatabaseQueries(DatabaseProperties properties) {
		this.latency = properties.latency();
	}

	/**
	 * Runs one query after the configured latency.
	 */
	public <T> T run(Supplier<T> query) {
		this.count.incrementAndGet();
		pause();
		return query.get();
	}

	/**
	 * Queries run since start-up.
	 */
	public long count() {
		return this.count.get();
	}

	private void pause() {
		if (this.latency.isZero() || this.latency.isNegative()) {
			return;
		}
		try {
			Thread.sleep(this.latency.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
