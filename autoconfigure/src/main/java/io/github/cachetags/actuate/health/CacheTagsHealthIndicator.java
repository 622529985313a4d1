package io.github.cachetags.actuate.health;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.store.EvictionPolicy;
import io.github.cachetags.store.RedisTagStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the cache: whether Redis answers and how fast, whether its eviction policy is safe, and how many
 * cache errors happened in the last minute.
 * <p>
 * A cache outage does not fail business calls (they run uncached), so by default it does not take the instance
 * out of a load balancer either: an unreachable Redis reports {@code UP} with {@code redis: unreachable}. Set
 * {@code cachetags.health.status-when-redis-unavailable=DOWN} (or {@code OUT_OF_SERVICE}) to change that.
 */
public class CacheTagsHealthIndicator extends AbstractHealthIndicator {

	static final Duration ERROR_WINDOW = Duration.ofMinutes(1);

	private final RedisTagStore store;

	private final TagAwareCacheManager cacheManager;

	private final Status statusWhenUnavailable;

	private final LongSupplier nanoTime;

	private final Deque<long[]> errorSamples = new ArrayDeque<>();

	public CacheTagsHealthIndicator(RedisTagStore store, TagAwareCacheManager cacheManager,
			Status statusWhenUnavailable, LongSupplier nanoTime) {
		super("CacheTags health check failed");
		this.store = store;
		this.cacheManager = cacheManager;
		this.statusWhenUnavailable = statusWhenUnavailable;
		this.nanoTime = nanoTime;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("errorsLastMinute", errorsInWindow());
		int pending = this.cacheManager.getInvalidations().pending();
		builder.withDetail("pendingInvalidations", pending);
		if (pending > 0) {
			builder.withDetail("pendingWarning", pending + " purges or evictions have not reached Redis yet; they are"
					+ " retried, and this instance reads no cached entries until they are sent");
		}
		long started = this.nanoTime.getAsLong();
		EvictionPolicy policy;
		try {
			policy = EvictionPolicy.from(this.store.memoryInfo());
		}
		catch (RuntimeException ex) {
			builder.status(this.statusWhenUnavailable)
				.withDetail("redis", "unreachable; calls run uncached")
				.withDetail("error", ex.toString());
			return;
		}
		long micros = (this.nanoTime.getAsLong() - started) / 1000;
		builder.up()
			.withDetail("redis", "reachable")
			.withDetail("latencyMicros", micros)
			.withDetail("evictionPolicy", policy.name())
			.withDetail("evictionPolicySafe", policy.isSafe());
		if (!policy.isSafe()) {
			builder.withDetail("warning", policy.describe());
		}
	}

	private synchronized long errorsInWindow() {
		long now = this.nanoTime.getAsLong();
		long total = this.cacheManager.getCaches()
			.values()
			.stream()
			.map(TagAwareCache::getStatistics)
			.mapToLong((stats) -> stats.errors())
			.sum();
		this.errorSamples.addLast(new long[] { now, total });
		long[] oldest = this.errorSamples.peekFirst();
		while (this.errorSamples.size() > 1 && now - this.errorSamples.peekFirst()[0] > ERROR_WINDOW.toNanos()) {
			oldest = this.errorSamples.pollFirst();
		}
		return total - oldest[1];
	}

}
