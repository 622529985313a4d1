package io.github.cachetags.store;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;

/**
 * Removes purged entries in the background, in bounded batches, after the purge has returned.
 * <p>
 * A purge has already invalidated its entries (the mark switch) when a drain starts; draining only frees their
 * memory. Every drain is recorded in a registry in Redis with a claim that the draining instance renews; when an
 * instance stops before a drain is done, its claim lapses and another instance (or the same one, restarted)
 * resumes it ({@link #resume}). A drain whose key is gone (expired with the index's lifetime) ends at once. A
 * drain removes only entries that no read would return: those not stored under their tag's mark as it is when
 * the batch runs, so running one late, or twice, costs work, not entries.
 */
final class Drains implements AutoCloseable {

	/**
	 * How long a claim on a drain lasts unless renewed; renewed every third of it, while the drain is queued or
	 * running here.
	 */
	static final Duration CLAIM = Duration.ofSeconds(90);

	/** Most lapsed drains one {@link #resume} claims. */
	static final int RESUME_LIMIT = 100;

	/**
	 * Most drains one instance queues or runs; a purge past it leaves its drains recorded, for any instance to
	 * resume once their first claim lapsed and its queue is shorter.
	 */
	static final int MAX_IN_PROGRESS = 10_000;

	private static final Log logger = LogFactory.getLog(Drains.class);

	private final RedisTagStore store;

	private final Executor executor;

	private final @Nullable ThreadPoolExecutor own;

	private final LongSupplier clock;

	private final Set<String> running = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	/**
	 * @param executor runs the drains; {@code null} for a thread of their own
	 * @param clock milliseconds of the claims (wall-clock time, compared across instances: an instance whose clock
	 * runs ahead may resume a drain another instance is still running, which only repeats work, since a drain
	 * removes only entries no read would return; one whose clock lags resumes late)
	 */
	Drains(RedisTagStore store, @Nullable Executor executor, LongSupplier clock) {
		this.store = store;
		this.clock = clock;
		if (executor != null) {
			this.own = null;
			this.executor = executor;
		}
		else {
			this.own = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), (runnable) -> {
				Thread thread = new Thread(runnable, "cachetags-purge-drain");
				thread.setDaemon(true);
				return thread;
			});
			this.own.allowCoreThreadTimeOut(true);
			this.executor = this.own;
		}
	}

	/**
	 * Records the drains of a purge as claimed by this instance, then starts them. A drain that cannot be
	 * recorded still runs here; if this instance stops first, its entries leave with their TTL.
	 */
	void start(RedisConnection connection, List<RedisTagStore.Drain> drains) {
		if (drains.isEmpty()) {
			return;
		}
		try {
			this.store.recordDrains(connection, drains, this.clock.getAsLong() + CLAIM.toMillis());
		}
		catch (RuntimeException ex) {
			logger.debug("Could not record purge drains in Redis; they run here only: " + ex);
		}
		drains.forEach(this::submit);
	}

	/**
	 * Claims drains whose claim lapsed (their instance stopped) and resumes them. Run on a schedule.
	 */
	void resume() {
		if (this.closed) {
			return;
		}
		long now = this.clock.getAsLong();
		this.store.renewDrains(List.copyOf(this.running), now + CLAIM.toMillis());
		if (this.running.size() >= MAX_IN_PROGRESS) {
			return;
		}
		for (RedisTagStore.Drain drain : this.store.lapsedDrains(now, RESUME_LIMIT)) {
			if (!this.running.contains(drain.member()) && this.store.claimDrain(drain, now, now + CLAIM.toMillis())) {
				logger.info("Resuming the drain of a purge of tag '" + drain.tag() + "' that another instance left");
				submit(drain);
			}
		}
	}

	/** How many drains this instance has started or resumed and not finished. */
	int inProgress() {
		return this.running.size();
	}

	private void submit(RedisTagStore.Drain drain) {
		if (this.running.size() >= MAX_IN_PROGRESS || !this.running.add(drain.member())) {
			return;
		}
		try {
			this.executor.execute(() -> run(drain));
		}
		catch (RejectedExecutionException ex) {
			// closing: the claim lapses and another instance resumes the drain
			this.running.remove(drain.member());
		}
	}

	private void run(RedisTagStore.Drain drain) {
		try {
			long renewed = this.clock.getAsLong();
			Step step = new Step(drain);
			while (step.next()) {
				if (Thread.currentThread().isInterrupted()) {
					return;
				}
				long now = this.clock.getAsLong();
				if (now - renewed > CLAIM.toMillis() / 3) {
					this.store.renewDrains(List.of(drain.member()), now + CLAIM.toMillis());
					renewed = now;
				}
			}
			this.store.forgetDrain(drain);
		}
		catch (RuntimeException ex) {
			logger.debug("A purge drain stopped; it is resumed once its claim lapses: " + ex);
		}
		finally {
			this.running.remove(drain.member());
		}
	}

	/**
	 * One batch after the other: of the tag's index, or, for a clear (the cache-wide tag has no index), of a
	 * {@code SCAN} over the shard's keys (resumed from the start after a restart).
	 */
	private final class Step {

		private final RedisTagStore.Drain drain;

		private String cursor = "0";

		Step(RedisTagStore.Drain drain) {
			this.drain = drain;
		}

		/** Runs one batch; whether there is more to do. */
		boolean next() {
			if (!this.drain.tag().equals(RedisTagStore.CACHE_TAG)) {
				return Drains.this.store.drainStep(this.drain) > 0;
			}
			this.cursor = Drains.this.store.sweepStep(this.drain, this.cursor);
			return !"0".equals(this.cursor);
		}

	}

	/**
	 * Stops draining here; the claims lapse and other instances resume the drains.
	 */
	@Override
	public void close() {
		this.closed = true;
		if (this.own != null) {
			this.own.shutdownNow();
		}
	}

}
