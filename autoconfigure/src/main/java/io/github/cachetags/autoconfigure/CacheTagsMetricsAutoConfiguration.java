package io.github.cachetags.autoconfigure;

import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.metrics.CacheTagsMeterBinder;
import io.github.cachetags.metrics.RedisServerMetrics;
import io.github.cachetags.store.RedisNodes;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters for every tag-aware cache (also those created at run time) and sampled Redis server gauges.
 */
@AutoConfiguration(after = CacheTagsAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, TagAwareCacheManager.class })
public final class CacheTagsMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CacheTagsMeterBinder cacheTagsMeterBinder(TagAwareCacheManager cacheManager) {
		return new CacheTagsMeterBinder(cacheManager, "cacheManager");
	}

	@Bean
	@ConditionalOnMissingBean
	RedisServerMetrics cacheTagsRedisServerMetrics(RedisNodes nodes, CacheTagsProperties properties) {
		return new RedisServerMetrics(() -> nodes.info(null), properties.getMetrics().getRedisInfoInterval());
	}

}
