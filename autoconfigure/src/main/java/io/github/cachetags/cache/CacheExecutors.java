package io.github.cachetags.cache;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The threads of one cache manager: a bounded pool that runs refreshes and rejects when its queue is full, a
 * scheduler that ticks the {@link RefreshScheduler} with jitter, and a pool for {@code Cache.retrieve}. All are
 * daemon threads; {@link #close()} stops them.
 */
public final class CacheExecutors implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(CacheExecutors.class);

	private final ThreadPoolExecutor refreshes;

	private final ThreadPoolExecutor async;

	private final ScheduledExecutorService ticks;

	/**
	 * @param refreshThreads threads that run refreshes
	 * @param refreshQueue refreshes that may wait for a thread
	 * @param asyncThreads threads that run {@code Cache.retrieve} reads and loads
	 */
	public CacheExecutors(int refreshThreads, int refreshQueue, int asyncThreads) {
		this.refreshes = new ThreadPoolExecutor(refreshThreads, refreshThreads, 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(refreshQueue), daemon("cachetags-refresh-"),
				new ThreadPoolExecutor.AbortPolicy());
		this.refreshes.allowCoreThreadTimeOut(true);
		this.async = new ThreadPoolExecutor(asyncThreads, asyncThreads, 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), daemon("cachetags-async-"));
		this.async.allowCoreThreadTimeOut(true);
		this.ticks = new ScheduledThreadPoolExecutor(1, daemon("cachetags-refresh-scheduler-"));
	}

	public Executor refreshExecutor() {
		return this.refreshes;
	}

	public Executor asyncExecutor() {
		return this.async;
	}

	/**
	 * Runs {@code tick} every {@code interval}, each delay varied at random by up to a fifth either way so that
	 * instances drift apart.
	 */
	public void schedule(Runnable tick, Duration interval) {
		long nanos = interval.toNanos();
		long delay = nanos - nanos / 5 + (long) (ThreadLocalRandom.current().nextDouble() * (2 * nanos / 5));
		this.ticks.schedule(() -> {
			try {
				tick.run();
			}
			catch (RuntimeException ex) {
				logger.warn("A scheduled CacheTags task failed once; it goes on: " + ex);
			}
			finally {
				if (!this.ticks.isShutdown()) {
					schedule(tick, interval);
				}
			}
		}, delay, TimeUnit.NANOSECONDS);
	}

	@Override
	public void close() {
		for (ExecutorService executor : new ExecutorService[] { this.ticks, this.refreshes, this.async }) {
			executor.shutdownNow();
		}
	}

	private static java.util.concurrent.ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
