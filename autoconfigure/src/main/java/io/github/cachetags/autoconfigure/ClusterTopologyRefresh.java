package io.github.cachetags.autoconfigure;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties.Lettuce.Cluster.Refresh;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.core.Ordered;

/**
 * Adds a periodic topology refresh to the options of a Lettuce cluster client when the application has not chosen a
 * refresh period. Without it, Lettuce refreshes only on adaptive triggers (a {@code MOVED} or {@code ASK}
 * redirection, a lost connection), so a master that was added, or a replica promoted while the client sent it
 * nothing, stays unknown to the client.
 * <p>
 * The options replace the ones Spring Boot built from {@code spring.data.redis.lettuce.cluster.refresh.*}, keeping
 * {@code dynamic-refresh-sources} and every adaptive trigger. They run before the application's own customizers,
 * which may override them.
 */
final class ClusterTopologyRefresh implements LettuceClientOptionsBuilderCustomizer, Ordered {

	/** Period of the refresh added by default. */
	static final Duration PERIOD = Duration.ofSeconds(30);

	private final ObjectProvider<DataRedisProperties> properties;

	ClusterTopologyRefresh(ObjectProvider<DataRedisProperties> properties) {
		this.properties = properties;
	}

	@Override
	public void customize(ClientOptions.Builder builder) {
		if (!(builder instanceof ClusterClientOptions.Builder cluster)) {
			return;
		}
		DataRedisProperties redis = this.properties.getIfAvailable();
		Refresh refresh = (redis != null) ? redis.getLettuce().getCluster().getRefresh() : null;
		if (refresh != null && refresh.getPeriod() != null) {
			return;
		}
		cluster.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
			.dynamicRefreshSources(refresh == null || refresh.isDynamicRefreshSources())
			.enableAllAdaptiveRefreshTriggers()
			.enablePeriodicRefresh(PERIOD)
			.build());
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
