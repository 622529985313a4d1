package io.github.cachetags.autoconfigure;

import io.github.cachetags.actuate.health.CacheTagsHealthIndicator;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.store.RedisNodes;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;

/**
 * The {@code cachetags} health indicator.
 */
@AutoConfiguration(after = CacheTagsAutoConfiguration.class)
@ConditionalOnClass({ AbstractHealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(TagAwareCacheManager.class)
@ConditionalOnEnabledHealthIndicator("cachetags")
public final class CacheTagsHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "cachetagsHealthIndicator")
	CacheTagsHealthIndicator cachetagsHealthIndicator(RedisNodes nodes, TagAwareCacheManager cacheManager,
			CacheTagsProperties properties) {
		String status = properties.getHealth().getStatusWhenRedisUnavailable();
		return new CacheTagsHealthIndicator(nodes, cacheManager, new Status(status.trim().toUpperCase()),
				System::nanoTime);
	}

}
