package io.github.cachetags.autoconfigure;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of the Lettuce cluster topology refresh, without a Redis server.
 */
class CacheTagsClusterAutoConfigurationTests {

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(DataRedisAutoConfiguration.class, CacheTagsClusterAutoConfiguration.class));

	private final ApplicationContextRunner onCluster = this.contexts
		.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:1,127.0.0.1:2");

	@Test
	void aClusterClientRefreshesItsTopologyEveryThirtySecondsAndOnEveryAdaptiveTrigger() {
		this.onCluster.run((context) -> {
			ClusterTopologyRefreshOptions refresh = topologyRefresh(context);
			assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
			assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
			assertThat(refresh.getAdaptiveRefreshTriggers()).containsExactlyInAnyOrder(RefreshTrigger.values());
			assertThat(refresh.useDynamicRefreshSources()).isTrue();
		});
	}

	@Test
	void theApplicationsOwnRefreshPeriodWins() {
		this.onCluster.withPropertyValues("spring.data.redis.lettuce.cluster.refresh.period=5s").run((context) -> {
			ClusterTopologyRefreshOptions refresh = topologyRefresh(context);
			assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
			assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(5));
		});
	}

	@Test
	void dynamicRefreshSourcesStayAsTheApplicationSetThem() {
		this.onCluster.withPropertyValues("spring.data.redis.lettuce.cluster.refresh.dynamic-refresh-sources=false")
			.run((context) -> {
				ClusterTopologyRefreshOptions refresh = topologyRefresh(context);
				assertThat(refresh.useDynamicRefreshSources()).isFalse();
				assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
			});
	}

	@Test
	void anApplicationCustomizerRunsAfterAndMayOverride() {
		this.onCluster
			.withBean(LettuceClientOptionsBuilderCustomizer.class,
					() -> (builder) -> ((ClusterClientOptions.Builder) builder)
						.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().build()))
			.run((context) -> assertThat(topologyRefresh(context).isPeriodicRefreshEnabled()).isFalse());
	}

	@Test
	void periodicRefreshIsLeftOffWhenTurnedOff() {
		this.onCluster.withPropertyValues("cachetags.cluster.topology-refresh=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ClusterTopologyRefresh.class);
			assertThat(topologyRefresh(context).isPeriodicRefreshEnabled()).isFalse();
		});
	}

	@Test
	void periodicRefreshIsLeftOffWhenCacheTagsIsDisabled() {
		this.onCluster.withPropertyValues("cachetags.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterTopologyRefresh.class));
	}

	@Test
	void aStandaloneClientIsLeftAlone() {
		this.contexts.withPropertyValues("spring.data.redis.port=1")
			.run((context) -> assertThat(clientOptions(context)).isNotInstanceOf(ClusterClientOptions.class));
	}

	private static ClusterTopologyRefreshOptions topologyRefresh(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return ((ClusterClientOptions) clientOptions(context)).getTopologyRefreshOptions();
	}

	private static ClientOptions clientOptions(AssertableApplicationContext context) {
		return context.getBean(LettuceConnectionFactory.class).getClientConfiguration().getClientOptions().orElseThrow();
	}

}
