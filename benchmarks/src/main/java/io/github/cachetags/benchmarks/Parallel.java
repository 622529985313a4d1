package io.github.cachetags.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * Runs {@code action} for every id in {@code [from, to)} on a few threads, bounded in time.
 */
final class Parallel {

	static final int WRITERS = 4;

	private Parallel() {
	}

	static void forEach(long from, long to, LongConsumer action) {
		ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int w = 0; w < WRITERS; w++) {
				int writer = w;
				futures.add(pool.submit(() -> {
					for (long id = from + writer; id < to; id += WRITERS) {
						action.accept(id);
					}
				}));
			}
			for (Future<?> future : futures) {
				future.get(10, TimeUnit.MINUTES);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			pool.shutdownNow();
		}
	}

}
