package io.github.cachetags.actuate.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.cachetags.cache.CacheSettings;
import io.github.cachetags.cache.CacheStatistics;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.tags.InvalidTagException;
import io.github.cachetags.tags.Tags;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;

/**
 * The {@code cachetags} actuator endpoint: per-cache figures of this instance, live entries per tag, and purge of
 * one tag in every cache. A tag is a literal ({@code *} matches only {@code *}); one containing {@code /} is sent
 * URL-encoded or as further path segments. An invalid tag is answered with 400 and purges nothing.
 */
@Endpoint(id = "cachetags")
public class CacheTagsEndpoint {

	private final TagAwareCacheManager cacheManager;

	private final Instant started = Instant.now();

	public CacheTagsEndpoint(TagAwareCacheManager cacheManager) {
		this.cacheManager = cacheManager;
	}

	@ReadOperation
	public CacheTagsReport caches() {
		Map<String, CacheReport> caches = new LinkedHashMap<>();
		Totals totals = new Totals();
		this.cacheManager.getCaches().forEach((name, cache) -> {
			CacheReport report = CacheReport.of(cache);
			caches.put(name, report);
			totals.add(report);
		});
		return new CacheTagsReport(this.cacheManager.getKeyPrefix(),
				"Figures are this instance's since " + this.started, this.started, totals.report(), caches);
	}

	@ReadOperation
	public TagReport tag(@Selector(match = Match.ALL_REMAINING) String[] tag) {
		String literal = validTag(tag);
		Map<String, Long> counts = this.cacheManager.count(literal);
		long total = counts.values().stream().mapToLong(Long::longValue).sum();
		return new TagReport(literal, total, counts);
	}

	@DeleteOperation
	public PurgeReport purge(@Selector(match = Match.ALL_REMAINING) String[] tag) {
		String literal = validTag(tag);
		return new PurgeReport(literal, this.cacheManager.purge(literal));
	}

	private static String validTag(String[] segments) {
		String tag = String.join("/", segments);
		try {
			return Tags.requireValid(tag);
		}
		catch (InvalidTagException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage());
		}
	}

	/**
	 * The endpoint's answer to {@code GET /actuator/cachetags}.
	 *
	 * @param keyPrefix prefix of every Redis key the caches write
	 * @param scope what the figures cover
	 * @param since when this instance started counting
	 * @param totals the figures summed over caches
	 * @param caches the figures and settings of each cache
	 */
	public record CacheTagsReport(String keyPrefix, String scope, Instant since, Figures totals,
			Map<String, CacheReport> caches) {
	}

	/**
	 * Counters of a cache or of all caches.
	 *
	 * @param hits reads that found a valid entry
	 * @param misses reads that found none
	 * @param hitRatio hits / (hits + misses), 0 before any read
	 * @param puts values stored
	 * @param refusedPuts values not stored because a purge, clear or eviction happened after their load began
	 * @param evictions single-key evictions
	 * @param purges purges and clears applied
	 * @param purgedEntries entries removed by purges and clears
	 * @param loads values loaded on a miss through the cache
	 * @param loadFailures loads that threw
	 * @param coalescedWaits misses that waited for another caller's load instead of loading
	 * @param redisErrors Redis errors and unreadable entries; those calls ran uncached
	 * @param refreshes entries reloaded in the background ahead of expiry
	 * @param refreshFailures background refreshes whose load threw
	 * @param refreshesRejected background refreshes skipped because the refresh executor was full
	 * @param staleServed reads served a value past its expiry
	 */
	public record Figures(long hits, long misses, double hitRatio, long puts, long refusedPuts, long evictions,
			long purges, long purgedEntries, long loads, long loadFailures, long coalescedWaits, long redisErrors,
			long refreshes, long refreshFailures, long refreshesRejected, long staleServed) {

		static Figures of(CacheStatistics s) {
			return new Figures(s.hits(), s.misses(), ratio(s.hits(), s.misses()), s.puts(), s.refusedPuts(),
					s.evictions(), s.purges(), s.purgedEntries(), s.loads(), s.loadFailures(), s.coalesced(),
					s.errors(), s.refreshes(), s.refreshFailures(), s.refreshesRejected(), s.staleServed());
		}

		static double ratio(long hits, long misses) {
			long reads = hits + misses;
			return (reads == 0) ? 0.0 : (double) hits / reads;
		}

	}

	/**
	 * One cache's figures and settings.
	 *
	 * @param figures counters since start
	 * @param ttl time to live of entries
	 * @param cacheNullValues whether null results are cached
	 * @param version namespace version
	 * @param shards hash slots the cache is spread over
	 */
	public record CacheReport(Figures figures, Duration ttl, boolean cacheNullValues, int version, int shards) {

		static CacheReport of(TagAwareCache cache) {
			CacheSettings settings = cache.getSettings();
			return new CacheReport(Figures.of(cache.getStatistics()), settings.ttl(), settings.cacheNullValues(),
					settings.version(), settings.shards());
		}

	}

	/**
	 * The answer to {@code GET /actuator/cachetags/{tag}}.
	 *
	 * @param tag the tag
	 * @param total entries over all caches
	 * @param caches unexpired entries listed under the tag, per cache (an upper bound)
	 */
	public record TagReport(String tag, long total, Map<String, Long> caches) {
	}

	/**
	 * The answer to {@code DELETE /actuator/cachetags/{tag}}.
	 *
	 * @param tag the purged tag
	 * @param removed entries removed in every cache
	 */
	public record PurgeReport(String tag, long removed) {
	}

	private static final class Totals {

		private long hits, misses, puts, refusedPuts, evictions, purges, purgedEntries, loads, loadFailures,
				coalescedWaits, errors, refreshes, refreshFailures, refreshesRejected, staleServed;

		void add(CacheReport report) {
			Figures f = report.figures();
			this.hits += f.hits();
			this.misses += f.misses();
			this.puts += f.puts();
			this.refusedPuts += f.refusedPuts();
			this.evictions += f.evictions();
			this.purges += f.purges();
			this.purgedEntries += f.purgedEntries();
			this.loads += f.loads();
			this.loadFailures += f.loadFailures();
			this.coalescedWaits += f.coalescedWaits();
			this.errors += f.redisErrors();
			this.refreshes += f.refreshes();
			this.refreshFailures += f.refreshFailures();
			this.refreshesRejected += f.refreshesRejected();
			this.staleServed += f.staleServed();
		}

		Figures report() {
			return new Figures(this.hits, this.misses, Figures.ratio(this.hits, this.misses), this.puts,
					this.refusedPuts, this.evictions, this.purges, this.purgedEntries, this.loads, this.loadFailures,
					this.coalescedWaits, this.errors, this.refreshes, this.refreshFailures, this.refreshesRejected,
					this.staleServed);
		}

	}

}
