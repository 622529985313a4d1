package io.github.cachetags;

import java.util.Map;

/**
 * Programmatic purge and inspection of tagged cache entries.
 * <p>
 * When {@code purge} returns, no read in any instance returns an entry that was stored with the tag before the
 * purge began, and no value whose load began before the purge is stored afterwards. A purge returns then, in O(1)
 * per cache shard; the purged entries are unlinked afterwards in the background, in bounded batches that never
 * block Redis. Tags are literals: {@code *} and {@code ?} match only themselves. With a
 * {@link TenantResolver}, every operation applies to the current tenant only.
 */
public interface CacheTagOperations {

	/**
	 * Purges a tag in every cache.
	 * @param tag the tag, as it was given to {@code @CacheTags}
	 * @return how many unexpired entries the tag listed (an upper bound: an entry invalidated through another of
	 * its tags stays listed until it expires or is pruned)
	 * @throws io.github.cachetags.tags.InvalidTagException if the tag is not a valid tag; nothing is purged
	 */
	long purge(String tag);

	/**
	 * Purges a tag in one cache.
	 * @return how many unexpired entries the tag listed in that cache (an upper bound)
	 * @throws io.github.cachetags.tags.InvalidTagException if the tag is not a valid tag; nothing is purged
	 */
	long purge(String cacheName, String tag);

	/**
	 * Counts the unexpired entries listed under a tag, per cache. Work is bounded (one indexed count per cache
	 * shard). The figure is an upper bound: an entry invalidated through another of its tags stays counted until
	 * it expires.
	 * @return the cache names with a non-zero count, in name order
	 */
	Map<String, Long> count(String tag);

}
