package io.github.cachetags.autoconfigure;

import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint;
import io.github.cachetags.cache.TagAwareCacheManager;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code cachetags} actuator endpoint, when it is enabled and exposed.
 */
@AutoConfiguration(after = CacheTagsAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(TagAwareCacheManager.class)
@ConditionalOnAvailableEndpoint(CacheTagsEndpoint.class)
public final class CacheTagsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CacheTagsEndpoint cacheTagsEndpoint(TagAwareCacheManager cacheManager) {
		return new CacheTagsEndpoint(cacheManager);
	}

}
