package io.github.cachetags.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.cachetags.actuate.health.CacheTagsHealthIndicator;
import io.github.cachetags.autoconfigure.CacheTagsHealthAutoConfiguration;
import io.github.cachetags.autoconfigure.CacheTagsMetricsAutoConfiguration;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCluster;
import io.github.cachetags.test.RedisCluster.Node;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators see of a real three-master Redis Cluster: the eviction policy of every master, health per master,
 * Redis gauges per master, and the client's topology refresh.
 */
class ClusterOperationsIT {

	private final RedisCluster cluster = RedisCluster.shared();

	private final ApplicationContextRunner contexts = CacheTagsContexts.onCluster(this.cluster)
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CacheTagsMetricsAutoConfiguration.class, CacheTagsHealthAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.timeout=5s")
		.withUserConfiguration(CatalogConfiguration.class);

	@Test
	void aNoevictionMasterFailsStartUpNamingItWhenTheCheckIsFail() {
		Node unsafe = this.cluster.nodes().get(1);
		withPolicy(unsafe, "noeviction", () -> this.contexts.withPropertyValues("cachetags.eviction-policy-check=fail")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
					.isInstanceOf(IllegalStateException.class)
					.hasMessageStartingWith("Redis maxmemory-policy of master " + unsafe.address() + " is 'noeviction'")
					.hasMessageEndingWith("Set cachetags.eviction-policy-check=warn to start anyway.")
					.message()
					.doesNotContain(this.cluster.nodes().get(0).address(), this.cluster.nodes().get(2).address());
			}));
	}

	@Test
	void everyMasterWithAnEvictingPolicyPassesTheCheck() {
		this.contexts.withPropertyValues("cachetags.eviction-policy-check=fail")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void healthReportsEachMastersPolicyAndIsUnsafeWhenOneIsNoeviction() {
		Node unsafe = this.cluster.nodes().get(2);
		withPolicy(unsafe, "noeviction", () -> this.contexts.run((context) -> {
			Health health = context.getBean(CacheTagsHealthIndicator.class).health(true);

			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("redis", "reachable")
				.containsEntry("evictionPolicy", "allkeys-lru, noeviction")
				.containsEntry("evictionPolicySafe", false)
				.containsKey("latencyMicros");
			assertThat((String) health.getDetails().get("warning"))
				.startsWith("Redis maxmemory-policy of master " + unsafe.address() + " is 'noeviction'");
			Map<String, Object> nodes = map(health.getDetails().get("nodes"));
			assertThat(nodes).hasSize(3);
			for (Node node : this.cluster.nodes()) {
				boolean safe = node != unsafe;
				assertThat(map(nodes.get(node.address()))).containsEntry("redis", "reachable")
					.containsEntry("evictionPolicy", safe ? "allkeys-lru" : "noeviction")
					.containsEntry("evictionPolicySafe", safe);
			}
		}));
	}

	@Test
	void redisGaugesAreNumbersForEveryMasterTaggedWithTheNode() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);
			MeterRegistry registry = context.getBean(MeterRegistry.class);

			List<Meter> redisMeters = registry.getMeters()
				.stream()
				.filter((meter) -> meter.getId().getName().startsWith("cachetags.redis.")
						&& !meter.getId().getName().equals("cachetags.redis.errors"))
				.toList();
			assertThat(redisMeters).as("8 meters for each of 3 masters").hasSize(24);
			assertThat(redisMeters).allSatisfy((meter) -> {
				assertThat(meter.getId().getTag("node")).isIn(this.cluster.nodes().stream().map(Node::address).toList());
				assertThat(meter.measure()).allSatisfy((measurement) -> assertThat(measurement.getValue()).isNotNaN());
			});
			for (Node node : this.cluster.nodes()) {
				assertThat(registry.get("cachetags.redis.memory.used").tag("node", node.address()).gauge().value())
					.isPositive();
				assertThat(registry.get("cachetags.redis.memory.max").tag("node", node.address()).gauge().value())
					.isZero();
				assertThat(registry.get("cachetags.redis.maxmemory.policy")
					.tags("node", node.address(), "policy", "allkeys-lru")
					.gauge()
					.value()).isEqualTo(1);
			}
		});
	}

	@Test
	void lettuceRefreshesTheTopologyEveryThirtySecondsAndOnEveryAdaptiveTrigger() {
		this.contexts.run((context) -> {
			RedisClusterClient client = (RedisClusterClient) context.getBean(LettuceConnectionFactory.class)
				.getRequiredNativeClient();
			ClusterTopologyRefreshOptions refresh = ((ClusterClientOptions) client.getOptions())
				.getTopologyRefreshOptions();

			assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
			assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
			assertThat(refresh.getAdaptiveRefreshTriggers()).containsExactlyInAnyOrder(RefreshTrigger.values());
			assertThat(refresh.useDynamicRefreshSources()).isTrue();
		});
	}

	private void withPolicy(Node node, String policy, Runnable body) {
		node.commands().configSet("maxmemory-policy", policy);
		try {
			body.run();
		}
		finally {
			node.commands().configSet("maxmemory-policy", "allkeys-lru");
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

}
