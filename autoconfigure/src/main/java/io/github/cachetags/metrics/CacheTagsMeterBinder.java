package io.github.cachetags.metrics;

import io.github.cachetags.cache.TagAwareCacheManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds {@link TagAwareCacheMetrics} for every cache of a manager, including caches created after start-up,
 * each tagged with {@code cache} and {@code cache.manager}.
 */
public class CacheTagsMeterBinder implements MeterBinder {

	private final TagAwareCacheManager cacheManager;

	private final String cacheManagerName;

	public CacheTagsMeterBinder(TagAwareCacheManager cacheManager, String cacheManagerName) {
		this.cacheManager = cacheManager;
		this.cacheManagerName = cacheManagerName;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Tags tags = Tags.of("cache.manager", this.cacheManagerName);
		this.cacheManager.forEachCache((cache) -> new TagAwareCacheMetrics(cache, tags).bindTo(registry));
	}

}
