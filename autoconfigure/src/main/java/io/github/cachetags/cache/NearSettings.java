package io.github.cachetags.cache;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * How one cache keeps a near cache: recently read values in this instance's memory, in front of Redis.
 *
 * @param enabled whether the cache has a near cache
 * @param maximumSize most entries kept
 * @param expireAfterWrite longest time an entry is kept, {@code null} for as long as it is valid in Redis
 * @param maxStaleness longest time another instance's invalidation may take to reach this near cache when its
 * message is lost
 */
public record NearSettings(boolean enabled, long maximumSize, @Nullable Duration expireAfterWrite,
		Duration maxStaleness) {

	/** No near cache. */
	public static final NearSettings OFF = new NearSettings(false, 10_000, null, Duration.ofSeconds(1));

	public NearSettings {
		Assert.isTrue(maximumSize >= 1, "maximumSize must be at least 1");
		Assert.isTrue(expireAfterWrite == null || expireAfterWrite.toMillis() >= 1,
				"expireAfterWrite must be at least 1ms");
		Assert.isTrue(maxStaleness.toMillis() >= 10, "maxStaleness must be at least 10ms");
	}

}
