package io.github.cachetags.metrics;

import io.github.cachetags.cache.Invalidations;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds {@link TagAwareCacheMetrics} for every cache of a manager, including caches created after start-up,
 * each tagged with {@code cache} and {@code cache.manager}; and the manager's queue of invalidations that could not
 * reach Redis yet: {@code cachetags.invalidations.pending} (gauge) and {@code cachetags.invalidations.retried}.
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
		Invalidations invalidations = this.cacheManager.getInvalidations();
		Gauge.builder("cachetags.invalidations.pending", invalidations, Invalidations::pending)
			.tags(tags)
			.description("Purges and evictions that could not reach Redis yet and are retried")
			.register(registry);
		FunctionCounter.builder("cachetags.invalidations.retried", invalidations, Invalidations::retried)
			.tags(tags)
			.description("Queued purges and evictions that reached Redis on a later attempt")
			.register(registry);
		this.cacheManager.forEachCache((cache) -> new TagAwareCacheMetrics(cache, tags).bindTo(registry));
	}

}
