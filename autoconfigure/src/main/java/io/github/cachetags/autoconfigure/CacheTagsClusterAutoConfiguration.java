package io.github.cachetags.autoconfigure;

import io.lettuce.core.cluster.ClusterClientOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Keeps Lettuce's view of a Redis Cluster current: when Spring Boot connects to a cluster with Lettuce and the
 * application has not set {@code spring.data.redis.lettuce.cluster.refresh.period}, the topology is also refreshed
 * every 30 seconds, not only when a redirection or a lost connection triggers an adaptive refresh. Turned off by
 * {@code cachetags.cluster.topology-refresh=false}.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ LettuceClientOptionsBuilderCustomizer.class, ClusterClientOptions.class })
@ConditionalOnProperty(prefix = "cachetags", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "cachetags.cluster", name = "topology-refresh", havingValue = "true",
		matchIfMissing = true)
public final class CacheTagsClusterAutoConfiguration {

	@Bean
	ClusterTopologyRefresh cacheTagsClusterTopologyRefresh(ObjectProvider<DataRedisProperties> properties) {
		return new ClusterTopologyRefresh(properties);
	}

}
