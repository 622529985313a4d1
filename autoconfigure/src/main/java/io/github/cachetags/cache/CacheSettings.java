package io.github.cachetags.cache;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How one cache stores its entries.
 *
 * @param ttl how long an entry lives
 * @param cacheNullValues whether {@code null} results are cached
 * @param version namespace version; bumping it abandons every entry of the previous version
 * @param shards how many hash slots the cache is spread over; a purge touches each of them
 * @param freshness refresh-ahead, jitter and stale serving
 * @param local the near cache in front of Redis
 */
public record CacheSettings(Duration ttl, boolean cacheNullValues, int version, int shards, Freshness freshness,
		NearSettings local) {

	public CacheSettings {
		Assert.isTrue(ttl.toMillis() > 0, "ttl must be at least 1ms");
		Assert.isTrue(version >= 0, "version must not be negative");
		Assert.isTrue(shards >= 1, "shards must be at least 1");
	}

	public CacheSettings(Duration ttl, boolean cacheNullValues, int version, int shards) {
		this(ttl, cacheNullValues, version, shards, Freshness.NONE);
	}

	public CacheSettings(Duration ttl, boolean cacheNullValues, int version, int shards, Freshness freshness) {
		this(ttl, cacheNullValues, version, shards, freshness, NearSettings.OFF);
	}

	/**
	 * How long an entry may go unread and still be refreshed.
	 */
	public Duration idle() {
		return (this.freshness.idle() != null) ? this.freshness.idle() : this.ttl;
	}

}
