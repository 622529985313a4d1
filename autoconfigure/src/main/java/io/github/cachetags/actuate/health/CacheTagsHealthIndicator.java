package io.github.cachetags.actuate.health;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.store.EvictionPolicy;
import io.github.cachetags.store.RedisNodes;
import io.github.cachetags.store.RedisNodes.Reading;
import io.github.cachetags.store.RedisNodes.Readings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the cache: whether Redis answers and how fast, whether its eviction policy is safe, and how many
 * cache errors happened in the last minute. On a Redis Cluster, whether each master answers and its eviction
 * policy are reported under {@code nodes}; the policy is safe only when every master's is.
 * <p>
 * A cache outage does not fail business calls (they run uncached), so by default it does not take the instance
 * out of a load balancer either: an unreachable Redis reports {@code UP} with {@code redis: unreachable}. Set
 * {@code cachetags.health.status-when-redis-unavailable=DOWN} (or {@code OUT_OF_SERVICE}) to change that. A
 * cluster of which some masters do not answer reports that status too, with {@code redis: partly reachable}.
 */
public class CacheTagsHealthIndicator extends AbstractHealthIndicator {

	static final Duration ERROR_WINDOW = Duration.ofMinutes(1);

	private final RedisNodes nodes;

	private final TagAwareCacheManager cacheManager;

	private final Status statusWhenUnavailable;

	private final LongSupplier nanoTime;

	private final Deque<long[]> errorSamples = new ArrayDeque<>();

	public CacheTagsHealthIndicator(RedisNodes nodes, TagAwareCacheManager cacheManager, Status statusWhenUnavailable,
			LongSupplier nanoTime) {
		super("CacheTags health check failed");
		this.nodes = nodes;
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
		Readings readings;
		try {
			readings = this.nodes.info("memory");
		}
		catch (RuntimeException ex) {
			unreachable(builder, ex.toString());
			return;
		}
		long micros = (this.nanoTime.getAsLong() - started) / 1000;
		if (!readings.cluster()) {
			Properties memory = readings.nodes().get(0).properties();
			EvictionPolicy policy = EvictionPolicy.from(memory);
			MemoryPressure pressure = MemoryPressure.read(memory, keyspace());
			boolean safe = policy.isSafe() && !pressure.writesRefused(policy);
			builder.up()
				.withDetail("redis", "reachable")
				.withDetail("latencyMicros", micros)
				.withDetail("evictionPolicy", policy.name())
				.withDetail("evictionPolicySafe", safe);
			pressure.addDetails(builder);
			if (!policy.isSafe()) {
				builder.withDetail("warning", policy.describe());
			}
			else if (!safe) {
				builder.withDetail("warning", pressure.describe(policy));
			}
			return;
		}
		clusterHealth(builder, readings, micros);
	}

	private void clusterHealth(Health.Builder builder, Readings readings, long micros) {
		Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
		Set<String> policies = new TreeSet<>();
		List<String> warnings = new ArrayList<>();
		List<String> unanswered = new ArrayList<>();
		for (Reading reading : readings.nodes()) {
			String node = Objects.requireNonNull(reading.node());
			Map<String, Object> details = new LinkedHashMap<>();
			if (reading.answered()) {
				EvictionPolicy policy = EvictionPolicy.from(reading.properties());
				details.put("redis", "reachable");
				details.put("evictionPolicy", policy.name());
				details.put("evictionPolicySafe", policy.isSafe());
				policies.add(policy.name());
				if (!policy.isSafe()) {
					warnings.add(policy.describeOn(node));
				}
			}
			else {
				details.put("redis", "unreachable");
				details.put("error", String.valueOf(reading.error()));
				unanswered.add(node);
			}
			nodes.put(node, details);
		}
		if (unanswered.size() == readings.nodes().size()) {
			unreachable(builder, "no master of the cluster answers");
			builder.withDetail("nodes", nodes);
			return;
		}
		if (unanswered.isEmpty()) {
			builder.up().withDetail("redis", "reachable");
		}
		else {
			builder.status(this.statusWhenUnavailable)
				.withDetail("redis", "partly reachable: " + ((unanswered.size() > 1)
						? "masters " + String.join(", ", unanswered) + " do not answer; calls on their slots"
						: "master " + unanswered.get(0) + " does not answer; calls on its slots") + " run uncached");
		}
		builder.withDetail("latencyMicros", micros)
			.withDetail("evictionPolicy", String.join(", ", policies))
			.withDetail("evictionPolicySafe", warnings.isEmpty())
			.withDetail("nodes", nodes);
		if (!warnings.isEmpty()) {
			builder.withDetail("warning", String.join(" ", warnings));
		}
	}

	private @Nullable Properties keyspace() {
		try {
			return this.nodes.info("keyspace").nodes().get(0).properties();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private void unreachable(Health.Builder builder, String error) {
		builder.status(this.statusWhenUnavailable)
			.withDetail("redis", "unreachable; calls run uncached")
			.withDetail("error", error);
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
