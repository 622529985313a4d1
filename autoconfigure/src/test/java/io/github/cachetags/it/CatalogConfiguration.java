package io.github.cachetags.it;

import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application with caching enabled and the test catalogue.
 */
@Configuration(proxyBeanMethods = false)
@EnableCaching
class CatalogConfiguration {

	@Bean
	Catalog catalog() {
		return new Catalog();
	}

}
