package io.github.cachetags.test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.cache.NearCoherence;
import io.github.cachetags.cache.NearStatistics;
import io.github.cachetags.cache.TagAwareCacheManager;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Waits of the near-cache tests, each bounded by {@link #PATIENCE}.
 */
public final class NearCaches {

	/** How long a test waits for a condition at most; far above what it should take. */
	public static final Duration PATIENCE = Duration.ofSeconds(20);

	private NearCaches() {
	}

	/** Waits until the instance's near caches are in use (its subscription delivers). */
	public static void awaitTrusted(AssertableApplicationContext context) {
		NearCoherence coherence = context.getBean(TagAwareCacheManager.class).getNearCoherence();
		long deadline = System.nanoTime() + PATIENCE.toNanos();
		while (!coherence.trusted()) {
			assertThat(System.nanoTime() - deadline).as("near caches trusted").isNegative();
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
	}

	/**
	 * Reads until a read is answered by the cache's near cache (a read may be kept from it by an invalidation
	 * message still arriving from an earlier step).
	 */
	public static void awaitNearHit(AssertableApplicationContext context, String cacheName, Runnable read) {
		TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
		NearStatistics near = manager.getCaches().get(cacheName).getNearStatistics();
		long deadline = System.nanoTime() + PATIENCE.toNanos();
		long before = near.hits();
		while (near.hits() == before) {
			assertThat(System.nanoTime() - deadline).as("a near hit (near hits %d, misses %d, refused fills %d, gaps %d,"
					+ " size %d, trusted %s)", near.hits(), near.misses(), near.refusedFills(), near.gaps(), near.size(),
					manager.getNearCoherence().trusted()).isNegative();
			read.run();
		}
	}

}
