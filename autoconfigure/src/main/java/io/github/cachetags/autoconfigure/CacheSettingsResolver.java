package io.github.cachetags.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.github.cachetags.autoconfigure.CacheTagsProperties.CacheSpec;
import io.github.cachetags.cache.CacheSettings;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Checks {@link CacheTagsProperties} and turns them into per-cache {@link CacheSettings}, a cache's own setting
 * winning over the default. A bad value fails start-up with a message naming the property, the value and what
 * is expected.
 */
final class CacheSettingsResolver implements Function<String, CacheSettings> {

	static final int MAX_SHARDS = 1024;

	static final int MAX_PURGE_BATCH = 10_000;

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	private static final Pattern CACHE_NAME = Pattern.compile("[\\x21-\\x7E&&[^{}:]]{1,128}");

	private final CacheTagsProperties properties;

	CacheSettingsResolver(CacheTagsProperties properties) {
		this.properties = properties;
		validate();
	}

	@Override
	public CacheSettings apply(String cacheName) {
		requireCacheName("cache name", cacheName);
		CacheSpec spec = this.properties.getCaches().get(cacheName);
		if (spec == null) {
			return new CacheSettings(this.properties.getDefaultTtl(), this.properties.isCacheNullValues(), 1,
					this.properties.getShards());
		}
		return new CacheSettings((spec.getTtl() != null) ? spec.getTtl() : this.properties.getDefaultTtl(),
				(spec.getCacheNullValues() != null) ? spec.getCacheNullValues()
						: this.properties.isCacheNullValues(),
				spec.getVersion(), (spec.getShards() != null) ? spec.getShards() : this.properties.getShards());
	}

	private void validate() {
		CacheTagsProperties p = this.properties;
		if (!NAME.matcher(p.getKeyPrefix()).matches()) {
			throw new InvalidConfigurationPropertyValueException("cachetags.key-prefix", p.getKeyPrefix(),
					"Expected 1 to 64 characters of letters, digits, '.', '_' and '-'");
		}
		requirePositive("cachetags.default-ttl", p.getDefaultTtl());
		requirePositive("cachetags.max-load-time", p.getMaxLoadTime());
		requirePositive("cachetags.redis-retry-interval", p.getRedisRetryInterval());
		requireShards("cachetags.shards", p.getShards());
		requirePositive("cachetags.metrics.redis-info-interval", p.getMetrics().getRedisInfoInterval());
		if (p.getPurgeBatchSize() < 1 || p.getPurgeBatchSize() > MAX_PURGE_BATCH) {
			throw new InvalidConfigurationPropertyValueException("cachetags.purge-batch-size", p.getPurgeBatchSize(),
					"Expected a number from 1 to " + MAX_PURGE_BATCH);
		}
		for (Map.Entry<String, CacheSpec> entry : p.getCaches().entrySet()) {
			String base = "cachetags.caches." + entry.getKey();
			requireCacheName(base, entry.getKey());
			CacheSpec spec = entry.getValue();
			if (spec.getTtl() != null) {
				requirePositive(base + ".ttl", spec.getTtl());
			}
			if (spec.getShards() != null) {
				requireShards(base + ".shards", spec.getShards());
			}
			if (spec.getVersion() < 0) {
				throw new InvalidConfigurationPropertyValueException(base + ".version", spec.getVersion(),
						"Expected a version of 0 or more");
			}
		}
	}

	private static void requireCacheName(String property, String name) {
		if (!CACHE_NAME.matcher(name).matches()) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"Expected a cache name of 1 to 128 printable ASCII characters without spaces, '{', '}' or ':'");
		}
	}

	private static void requirePositive(String property, Duration value) {
		if (value.isNegative() || value.toMillis() < 1) {
			throw new InvalidConfigurationPropertyValueException(property, value,
					"Expected a duration of at least 1ms, such as 60s or 10m");
		}
	}

	private static void requireShards(String property, int shards) {
		if (shards < 1 || shards > MAX_SHARDS) {
			throw new InvalidConfigurationPropertyValueException(property, shards,
					"Expected a number of shards from 1 to " + MAX_SHARDS);
		}
	}

}
