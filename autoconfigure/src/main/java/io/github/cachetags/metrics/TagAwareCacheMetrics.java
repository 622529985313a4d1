package io.github.cachetags.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.github.cachetags.cache.CacheStatistics;
import io.github.cachetags.cache.NearStatistics;
import io.github.cachetags.cache.TagAwareCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer's cache meters ({@code cache.gets{result=hit|miss}}, {@code cache.puts}, {@code cache.evictions})
 * for one {@link TagAwareCache}, plus CacheTags' own: {@code cachetags.purges}, {@code cachetags.purge.entries},
 * {@code cachetags.purge} (timer), {@code cachetags.loads{result=success|failure}}, {@code cachetags.load}
 * (timer), {@code cachetags.coalesced}, {@code cachetags.refreshes{result=success|failure|rejected}},
 * {@code cachetags.stale.served}, {@code cachetags.puts.refused} and {@code cachetags.redis.errors}; with a near cache,
 * {@code cachetags.near.gets{result=hit|miss}}, {@code cachetags.near.size}, {@code cachetags.near.evictions},
 * {@code cachetags.near.invalidations}, {@code cachetags.near.gaps} and {@code cachetags.near.fills.refused}. Every
 * meter is
 * tagged with
 * {@code cache} and the given tags; no meter is ever tagged with a cache tag's value.
 */
public class TagAwareCacheMetrics extends CacheMeterBinder<TagAwareCache> {

	private final CacheStatistics statistics;

	private final @Nullable NearStatistics near;

	public TagAwareCacheMetrics(TagAwareCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
		this.statistics = cache.getStatistics();
		this.near = cache.getNearStatistics();
	}

	@Override
	protected @Nullable Long size() {
		return null;
	}

	@Override
	protected long hitCount() {
		return this.statistics.hits();
	}

	@Override
	protected Long missCount() {
		return this.statistics.misses();
	}

	@Override
	protected Long evictionCount() {
		return this.statistics.evictions();
	}

	@Override
	protected long putCount() {
		return this.statistics.puts();
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		Iterable<Tag> tags = getTagsWithCacheName();
		CacheStatistics stats = this.statistics;
		FunctionCounter.builder("cachetags.purges", stats, CacheStatistics::purges)
			.tags(tags)
			.description("Purges of a tag, and clears, applied to the cache")
			.register(registry);
		FunctionCounter.builder("cachetags.purge.entries", stats, CacheStatistics::purgedEntries)
			.tags(tags)
			.description("Unexpired entries the purged tags listed (clears count none)")
			.register(registry);
		FunctionTimer.builder("cachetags.purge", stats, CacheStatistics::purges, CacheStatistics::purgeNanos,
				TimeUnit.NANOSECONDS)
			.tags(tags)
			.description("Time spent purging")
			.register(registry);
		String loads = "Values loaded on a miss";
		byResult(registry, "cachetags.loads", loads, tags, "success", CacheStatistics::loads);
		byResult(registry, "cachetags.loads", loads, tags, "failure", CacheStatistics::loadFailures);
		FunctionTimer.builder("cachetags.load", stats, (s) -> s.loads() + s.loadFailures(),
				CacheStatistics::loadNanos, TimeUnit.NANOSECONDS)
			.tags(tags)
			.description("Time spent loading values on a miss")
			.register(registry);
		FunctionCounter.builder("cachetags.coalesced", stats, CacheStatistics::coalesced)
			.tags(tags)
			.description("Misses that waited for another caller's load instead of loading")
			.register(registry);
		String refreshes = "Entries reloaded in the background ahead of expiry";
		byResult(registry, "cachetags.refreshes", refreshes, tags, "success", CacheStatistics::refreshes);
		byResult(registry, "cachetags.refreshes", refreshes, tags, "failure", CacheStatistics::refreshFailures);
		byResult(registry, "cachetags.refreshes", refreshes, tags, "rejected", CacheStatistics::refreshesRejected);
		FunctionCounter.builder("cachetags.stale.served", stats, CacheStatistics::staleServed)
			.tags(tags)
			.description("Reads served a value past its expiry (stale-while-revalidate or stale-if-error)")
			.register(registry);
		FunctionCounter.builder("cachetags.puts.refused", stats, CacheStatistics::refusedPuts)
			.tags(tags)
			.description("Values not stored because a purge, clear or eviction happened after their load began")
			.register(registry);
		FunctionCounter.builder("cachetags.redis.errors", stats, CacheStatistics::errors)
			.tags(tags)
			.description("Redis errors and unreadable entries; the calls ran uncached")
			.register(registry);
		if (this.near != null) {
			bindNearCache(registry, tags, this.near);
		}
	}

	private static void bindNearCache(MeterRegistry registry, Iterable<Tag> tags, NearStatistics near) {
		String gets = "Reads of the near cache, in this instance's memory; a miss goes on to Redis";
		nearCounter(registry, "cachetags.near.gets", gets, Tags.concat(tags, "result", "hit"), near,
				NearStatistics::hits);
		nearCounter(registry, "cachetags.near.gets", gets, Tags.concat(tags, "result", "miss"), near,
				NearStatistics::misses);
		Gauge.builder("cachetags.near.size", near, NearStatistics::size)
			.tags(tags)
			.description("Entries held by the near cache")
			.register(registry);
		nearCounter(registry, "cachetags.near.evictions", "Near entries removed to respect the maximum size", tags,
				near, NearStatistics::evictions);
		nearCounter(registry, "cachetags.near.invalidations", "Invalidation messages applied to the near cache", tags,
				near, NearStatistics::invalidations);
		nearCounter(registry, "cachetags.near.gaps",
				"Lost invalidation messages noticed; each dropped a shard's near entries", tags, near,
				NearStatistics::gaps);
		nearCounter(registry, "cachetags.near.fills.refused",
				"Values read from Redis not kept near because an invalidation arrived during the read", tags, near,
				NearStatistics::refusedFills);
	}

	private static void nearCounter(MeterRegistry registry, String name, String description, Iterable<Tag> tags,
			NearStatistics near, ToDoubleFunction<NearStatistics> count) {
		FunctionCounter.builder(name, near, count).tags(tags).description(description).register(registry);
	}

	private void byResult(MeterRegistry registry, String name, String description, Iterable<Tag> tags, String result,
			ToDoubleFunction<CacheStatistics> count) {
		FunctionCounter.builder(name, this.statistics, count)
			.tags(Tags.concat(tags, "result", result))
			.description(description)
			.register(registry);
	}

}
