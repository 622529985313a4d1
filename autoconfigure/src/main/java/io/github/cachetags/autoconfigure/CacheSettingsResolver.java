package io.github.cachetags.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.github.cachetags.autoconfigure.CacheTagsProperties.CacheSpec;
import io.github.cachetags.cache.CacheSettings;
import io.github.cachetags.cache.Freshness;
import io.github.cachetags.cache.NearSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Checks {@link CacheTagsProperties} and turns them into per-cache {@link CacheSettings}, a cache's own setting
 * winning over the default. A bad value fails start-up with a message naming the property, the value and what
 * is expected.
 */
final class CacheSettingsResolver implements Function<String, CacheSettings> {

	static final int MAX_SHARDS = 1024;

	static final int MAX_PURGE_BATCH = 300;

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
					this.properties.getShards(), freshness(null), local(null));
		}
		return new CacheSettings((spec.getTtl() != null) ? spec.getTtl() : this.properties.getDefaultTtl(),
				(spec.getCacheNullValues() != null) ? spec.getCacheNullValues()
						: this.properties.isCacheNullValues(),
				spec.getVersion(), (spec.getShards() != null) ? spec.getShards() : this.properties.getShards(),
				freshness(spec.getFreshness()), local(spec.getLocal()));
	}

	/**
	 * A cache's near-cache settings: its own, else the defaults under {@code cachetags.local}, else the built-in
	 * ones.
	 */
	private NearSettings local(@Nullable LocalProperties own) {
		LocalProperties defaults = this.properties.getLocal();
		NearSettings builtIn = NearSettings.OFF;
		return new NearSettings(pick(own, defaults, LocalProperties::getEnabled, builtIn.enabled()),
				pick(own, defaults, LocalProperties::getMaximumSize, builtIn.maximumSize()),
				pick(own, defaults, LocalProperties::getExpireAfterWrite, null),
				pick(own, defaults, LocalProperties::getMaxStaleness, builtIn.maxStaleness()));
	}

	/**
	 * Whether any cache named in the properties, or the defaults (which caches created on first use take), has a
	 * near cache.
	 */
	boolean anyNearCache() {
		return nearCacheProperty() != null;
	}

	/**
	 * The property that turns a near cache on, if any does.
	 */
	@Nullable String nearCacheProperty() {
		if (local(null).enabled()) {
			return "cachetags.local.enabled";
		}
		return this.properties.getCaches()
			.keySet()
			.stream()
			.filter((name) -> apply(name).local().enabled())
			.findFirst()
			.map((name) -> "cachetags.caches." + name + ".local.enabled")
			.orElse(null);
	}

	/**
	 * The smallest max staleness of the near caches that are enabled.
	 */
	Duration smallestMaxStaleness() {
		Duration smallest = local(null).maxStaleness();
		for (String name : this.properties.getCaches().keySet()) {
			NearSettings near = apply(name).local();
			if (near.enabled() && near.maxStaleness().compareTo(smallest) < 0) {
				smallest = near.maxStaleness();
			}
		}
		return smallest;
	}


	/**
	 * A cache's freshness settings: its own, else the defaults under {@code cachetags.freshness}, else the
	 * built-in ones.
	 */
	private Freshness freshness(@Nullable FreshnessProperties own) {
		FreshnessProperties defaults = this.properties.getFreshness();
		Freshness builtIn = Freshness.NONE;
		return new Freshness(pick(own, defaults, FreshnessProperties::getRefreshAhead, builtIn.refreshAhead()),
				pick(own, defaults, FreshnessProperties::getRefreshThreshold, builtIn.refreshWithin()),
				pick(own, defaults, FreshnessProperties::getRefreshIdle, null),
				pick(own, defaults, FreshnessProperties::getTtlJitter, builtIn.ttlJitter()),
				pick(own, defaults, FreshnessProperties::getEarlyRefreshBeta, builtIn.earlyRefreshBeta()),
				pick(own, defaults, FreshnessProperties::getStaleWhileRevalidate, builtIn.staleWhileRevalidate()),
				pick(own, defaults, FreshnessProperties::getStaleIfError, builtIn.staleIfError()));
	}

	/**
	 * A setting of one cache: its own, else the default, else the built-in value.
	 */
	private static <P, T> T pick(@Nullable P own, P defaults, Function<P, @Nullable T> setting, T builtIn) {
		T value = (own != null) ? setting.apply(own) : null;
		if (value == null) {
			value = setting.apply(defaults);
		}
		return (value != null) ? value : builtIn;
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
		if (p.getReplicationWait().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("cachetags.replication-wait", p.getReplicationWait(),
					"Expected a duration of 0 (do not wait) or more");
		}
		requireShards("cachetags.shards", p.getShards());
		requirePositive("cachetags.metrics.redis-info-interval", p.getMetrics().getRedisInfoInterval());
		requirePositive("cachetags.coalescing.lease-time", p.getCoalescing().getLeaseTime());
		requirePositive("cachetags.refresh.interval", p.getRefresh().getInterval());
		requireAtLeastOne("cachetags.refresh.max-keys", p.getRefresh().getMaxKeys());
		requireAtLeastOne("cachetags.refresh.threads", p.getRefresh().getThreads());
		requireAtLeastOne("cachetags.refresh.queue-capacity", p.getRefresh().getQueueCapacity());
		validateFreshness("cachetags.freshness", p.getFreshness());
		validateLocal("cachetags.local", p.getLocal());
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
			validateFreshness(base + ".freshness", spec.getFreshness());
			validateLocal(base + ".local", spec.getLocal());
			if (spec.getVersion() < 0) {
				throw new InvalidConfigurationPropertyValueException(base + ".version", spec.getVersion(),
						"Expected a version of 0 or more");
			}
		}
	}

	private static void validateFreshness(String base, FreshnessProperties f) {
		Double threshold = f.getRefreshThreshold();
		if (threshold != null && !(threshold > 0 && threshold < 1)) {
			throw new InvalidConfigurationPropertyValueException(base + ".refresh-threshold", threshold,
					"Expected a fraction of the time to live between 0 and 1, such as 0.2");
		}
		Double jitter = f.getTtlJitter();
		if (jitter != null && !(jitter >= 0 && jitter < 1)) {
			throw new InvalidConfigurationPropertyValueException(base + ".ttl-jitter", jitter,
					"Expected a fraction from 0 to less than 1, such as 0.1");
		}
		Double beta = f.getEarlyRefreshBeta();
		if (beta != null && !(beta >= 0 && beta <= 100)) {
			throw new InvalidConfigurationPropertyValueException(base + ".early-refresh-beta", beta,
					"Expected a weight from 0 (off) to 100, usually 1");
		}
		if (f.getRefreshIdle() != null) {
			requirePositive(base + ".refresh-idle", f.getRefreshIdle());
		}
		requireNotNegative(base + ".stale-while-revalidate", f.getStaleWhileRevalidate());
		requireNotNegative(base + ".stale-if-error", f.getStaleIfError());
	}

	private static void validateLocal(String base, LocalProperties local) {
		Long size = local.getMaximumSize();
		if (size != null && size < 1) {
			throw new InvalidConfigurationPropertyValueException(base + ".maximum-size", size,
					"Expected a number of entries of 1 or more, such as 10000");
		}
		if (local.getExpireAfterWrite() != null) {
			requirePositive(base + ".expire-after-write", local.getExpireAfterWrite());
		}
		Duration staleness = local.getMaxStaleness();
		if (staleness != null && (staleness.isNegative() || staleness.toMillis() < 10)) {
			throw new InvalidConfigurationPropertyValueException(base + ".max-staleness", staleness,
					"Expected a duration of at least 10ms, such as 1s");
		}
	}

	private static void requireNotNegative(String property, @Nullable Duration value) {
		if (value != null && value.isNegative()) {
			throw new InvalidConfigurationPropertyValueException(property, value,
					"Expected a duration of 0 or more, such as 30s");
		}
	}

	private static void requireAtLeastOne(String property, int value) {
		if (value < 1) {
			throw new InvalidConfigurationPropertyValueException(property, value, "Expected a number of 1 or more");
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
