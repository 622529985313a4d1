package io.github.cachetags.cache;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheErrorHandler;

/**
 * Logs and counts cache errors instead of failing the annotated method, which then runs as if uncached.
 */
public class RecordingCacheErrorHandler implements CacheErrorHandler {

	private static final Log logger = LogFactory.getLog(RecordingCacheErrorHandler.class);

	@Override
	public void handleCacheGetError(RuntimeException exception, Cache cache, Object key) {
		record(exception, cache, "read key '" + key + "'");
	}

	@Override
	public void handleCachePutError(RuntimeException exception, Cache cache, Object key, @Nullable Object value) {
		record(exception, cache, "store key '" + key + "'");
	}

	@Override
	public void handleCacheEvictError(RuntimeException exception, Cache cache, Object key) {
		record(exception, cache, "evict key '" + key + "'");
	}

	@Override
	public void handleCacheClearError(RuntimeException exception, Cache cache) {
		record(exception, cache, "clear");
	}

	private void record(RuntimeException exception, Cache cache, String action) {
		Object nativeCache = cache;
		if (cache instanceof TaggedCacheView view) {
			nativeCache = view.target();
		}
		if (nativeCache instanceof TagAwareCache tagAware) {
			tagAware.recordError();
		}
		logger.warn("Cache '" + cache.getName() + "' could not " + action + "; the method ran uncached: " + exception);
	}

}
