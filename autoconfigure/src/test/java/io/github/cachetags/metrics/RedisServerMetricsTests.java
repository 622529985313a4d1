package io.github.cachetags.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cachetags.store.RedisNodes.Reading;
import io.github.cachetags.store.RedisNodes.Readings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis gauges per server, from samples given by hand.
 */
class RedisServerMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final AtomicReference<Readings> sample = new AtomicReference<>();

	@Test
	void theOneServerOfAStandaloneSetupHasUntaggedGauges() {
		this.sample.set(new Readings(false, List.of(new Reading(null, info(1000, "allkeys-lru"), null))));
		try (RedisServerMetrics metrics = bound()) {
			assertThat(this.registry.get("cachetags.redis.memory.used").gauge().getId().getTags()).isEmpty();
			assertThat(this.registry.get("cachetags.redis.memory.used").gauge().value()).isEqualTo(1000);
			assertThat(this.registry.get("cachetags.redis.maxmemory.policy").tags("policy", "allkeys-lru").gauge())
				.isNotNull();
		}
	}

	@Test
	void eachMasterOfAClusterHasGaugesTaggedWithItsNode() {
		this.sample.set(cluster(new Reading("10.0.0.1:6379", info(1000, "allkeys-lru"), null),
				new Reading("10.0.0.2:6379", info(2000, "noeviction"), null)));
		try (RedisServerMetrics metrics = bound()) {
			assertThat(used("10.0.0.1:6379")).isEqualTo(1000);
			assertThat(used("10.0.0.2:6379")).isEqualTo(2000);
			assertThat(this.registry.get("cachetags.redis.maxmemory.policy")
				.tags("node", "10.0.0.2:6379", "policy", "noeviction")
				.gauge()
				.value()).isEqualTo(1);
			assertThat(this.registry.find("cachetags.redis.memory.used").gauges()).hasSize(2);
		}
	}

	@Test
	void aMasterThatDoesNotAnswerKeepsItsLastSampleAndOneThatLeavesLosesItsGauges() {
		this.sample.set(cluster(new Reading("10.0.0.1:6379", info(1000, "allkeys-lru"), null),
				new Reading("10.0.0.2:6379", info(2000, "allkeys-lru"), null)));
		try (RedisServerMetrics metrics = bound()) {
			this.sample.set(cluster(new Reading("10.0.0.1:6379", info(1500, "allkeys-lru"), null),
					new Reading("10.0.0.2:6379", null, "timed out")));
			metrics.sampleNow();
			assertThat(used("10.0.0.1:6379")).isEqualTo(1500);
			assertThat(used("10.0.0.2:6379")).isEqualTo(2000);

			this.sample.set(cluster(new Reading("10.0.0.1:6379", info(1600, "allkeys-lru"), null)));
			metrics.sampleNow();
			assertThat(this.registry.find("cachetags.redis.memory.used").tag("node", "10.0.0.2:6379").gauge())
				.isNull();
			assertThat(this.registry.find("cachetags.redis.maxmemory.policy").tag("node", "10.0.0.2:6379").gauge())
				.isNull();
			assertThat(used("10.0.0.1:6379")).isEqualTo(1600);
		}
	}

	@Test
	void aServerThatNeverAnsweredHasNoGaugesYet() {
		this.sample.set(cluster(new Reading("10.0.0.1:6379", null, "connection refused")));
		try (RedisServerMetrics metrics = bound()) {
			assertThat(this.registry.find("cachetags.redis.memory.used").gauges()).isEmpty();
			this.sample.set(cluster(new Reading("10.0.0.1:6379", info(1000, "allkeys-lru"), null)));
			metrics.sampleNow();
			assertThat(used("10.0.0.1:6379")).isEqualTo(1000);
		}
	}

	private RedisServerMetrics bound() {
		RedisServerMetrics metrics = new RedisServerMetrics(this.sample::get, Duration.ofHours(1));
		metrics.bindTo(this.registry);
		return metrics;
	}

	private double used(String node) {
		return this.registry.get("cachetags.redis.memory.used").tag("node", node).gauge().value();
	}

	private static Readings cluster(Reading... nodes) {
		return new Readings(true, List.of(nodes));
	}

	private static Properties info(long usedMemory, String policy) {
		Properties info = new Properties();
		info.setProperty("used_memory", Long.toString(usedMemory));
		info.setProperty("maxmemory_policy", policy);
		return info;
	}

}
