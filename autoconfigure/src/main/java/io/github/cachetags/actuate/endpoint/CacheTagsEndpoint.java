package io.github.cachetags.actuate.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.cachetags.cache.CacheSettings;
import io.github.cachetags.cache.NearSettings;
import io.github.cachetags.cache.NearStatistics;
import io.github.cachetags.cache.CacheStatistics;
import io.github.cachetags.cache.InvalidationPendingException;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import org.jspecify.annotations.Nullable;
import io.github.cachetags.tags.InvalidTagException;
import io.github.cachetags.tags.Tags;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.dao.DataAccessException;
import org.springframework.util.ClassUtils;

/**
 * The {@code cachetags} actuator endpoint: per-cache figures of this instance, live entries per tag, and purge of
 * one tag in every cache. A tag is a literal ({@code *} matches only {@code *}).
 * <p>
 * Over HTTP, the tag is the one path segment after the endpoint's path, percent-encoded (RFC 3986), and it must
 * decode exactly to the tag: {@code /} in a tag is sent as {@code %2F}, {@code ?} as {@code %3F}, {@code %} as
 * {@code %25}. When Spring MVC serves the request, a raw {@code /} or {@code ;} after the endpoint's path, a
 * query string, or a tag of only {@code .} or {@code ..} is answered with 400, because servers and clients would
 * read them as URL syntax and name another tag. An invalid tag is answered with 400 too. Nothing is counted or
 * purged then.
 * <p>
 * When Redis cannot be reached, a count or purge is answered with 503 and a reason. A purge that could not reach
 * Redis is queued by the cache manager and retried until Redis accepts it.
 */
@Endpoint(id = "cachetags")
public class CacheTagsEndpoint {

	private static final Log logger = LogFactory.getLog(CacheTagsEndpoint.class);

	private static final String REDIS_UNREACHABLE = "Redis unreachable";

	private static final String PURGE_QUEUED = "Purge queued";

	private static final boolean SERVLET_REQUESTS = isPresent("jakarta.servlet.http.HttpServletRequest")
			&& isPresent("org.springframework.web.context.request.ServletRequestAttributes");

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
			CacheReport report = CacheReport.of(cache, this.cacheManager.getNearCoherence() != null
					&& this.cacheManager.getNearCoherence().trusted());
			caches.put(name, report);
			totals.add(report);
		});
		return new CacheTagsReport(this.cacheManager.getKeyPrefix(),
				"Figures are this instance's since " + this.started, this.started, totals.report(), caches);
	}

	/**
	 * Counts the unexpired entries carrying a tag, per cache.
	 * @return a {@link TagReport}, or with status 503 a {@link RedisUnavailableReport}
	 */
	@ReadOperation
	public WebEndpointResponse<Object> tag(@Selector(match = Match.ALL_REMAINING) String[] tag) {
		String literal = validTag(tag);
		Map<String, Long> counts;
		try {
			counts = this.cacheManager.count(literal);
		}
		catch (DataAccessException ex) {
			logger.warn("Could not count tag '" + literal + "': " + ex.getMostSpecificCause());
			return unavailable(literal, REDIS_UNREACHABLE, "Redis could not be reached, so the entries carrying tag '"
					+ literal + "' were not counted. Ask again once Redis answers.");
		}
		long total = counts.values().stream().mapToLong(Long::longValue).sum();
		return new WebEndpointResponse<>(new TagReport(literal, total, counts));
	}

	/**
	 * Purges a tag in every cache.
	 * @return a {@link PurgeReport}, or with status 503 a {@link RedisUnavailableReport}
	 */
	@DeleteOperation
	public WebEndpointResponse<Object> purge(@Selector(match = Match.ALL_REMAINING) String[] tag) {
		String literal = validTag(tag);
		try {
			return new WebEndpointResponse<>(new PurgeReport(literal, this.cacheManager.purge(literal)));
		}
		catch (InvalidationPendingException ex) {
			logger.warn("Could not purge tag '" + literal + "' now; it is queued and retried: "
					+ ex.getMostSpecificCause());
			return unavailable(literal, PURGE_QUEUED, "Redis could not take the purge of tag '" + literal
					+ "' now, so it is queued and retried until Redis accepts it. Until then this instance reads"
					+ " no entries from Redis.");
		}
		catch (DataAccessException ex) {
			logger.warn("Could not purge tag '" + literal + "': " + ex.getMostSpecificCause());
			return unavailable(literal, REDIS_UNREACHABLE, "Redis could not be reached; tag '" + literal
					+ "' may not be purged. Purge it again once Redis answers.");
		}
	}

	private static WebEndpointResponse<Object> unavailable(String tag, String error, String message) {
		return new WebEndpointResponse<>(new RedisUnavailableReport(tag, error, message),
				WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
	}

	private static String validTag(String[] segments) {
		String tag = SERVLET_REQUESTS ? ServletRequestTag.read(segments) : null;
		if (tag == null) {
			tag = String.join("/", segments);
		}
		try {
			return Tags.requireValid(tag);
		}
		catch (InvalidTagException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage());
		}
	}

	private static boolean isPresent(String className) {
		return ClassUtils.isPresent(className, CacheTagsEndpoint.class.getClassLoader());
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
	 * @param purgedEntries unexpired entries the purged tags listed (clears count none)
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
	 * @param near the near cache's figures and bounds, {@code null} if the cache has none
	 */
	public record CacheReport(Figures figures, Duration ttl, boolean cacheNullValues, int version, int shards,
			@Nullable NearReport near) {

		static CacheReport of(TagAwareCache cache, boolean nearTrusted) {
			CacheSettings settings = cache.getSettings();
			NearStatistics near = cache.getNearStatistics();
			return new CacheReport(Figures.of(cache.getStatistics()), settings.ttl(), settings.cacheNullValues(),
					settings.version(), settings.shards(),
					(near != null) ? NearReport.of(near, settings.local(), nearTrusted) : null);
		}

	}

	/**
	 * One cache's near cache in this instance.
	 *
	 * @param inUse whether invalidations are known to arrive, so the near cache is used; when not, reads go to Redis
	 * @param hits reads answered from this instance's memory
	 * @param misses reads the near cache could not answer
	 * @param hitRatio hits / (hits + misses), 0 before any read
	 * @param size entries held
	 * @param maximumSize most entries held
	 * @param evictions entries removed to respect the maximum size
	 * @param invalidations invalidation messages applied
	 * @param gaps lost invalidation messages noticed, each of which dropped a shard's near entries
	 * @param refusedFills values read from Redis not kept because an invalidation arrived during the read
	 * @param maxStaleness longest time another instance's invalidation takes to reach this near cache when its
	 * message is lost
	 * @param expireAfterWrite longest time a value is kept, {@code null} for as long as Redis serves it
	 */
	public record NearReport(boolean inUse, long hits, long misses, double hitRatio, long size, long maximumSize,
			long evictions, long invalidations, long gaps, long refusedFills, Duration maxStaleness,
			@Nullable Duration expireAfterWrite) {

		static NearReport of(NearStatistics s, NearSettings settings, boolean trusted) {
			return new NearReport(trusted, s.hits(), s.misses(), Figures.ratio(s.hits(), s.misses()), s.size(),
					settings.maximumSize(), s.evictions(), s.invalidations(), s.gaps(), s.refusedFills(),
					settings.maxStaleness(), settings.expireAfterWrite());
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
	 * @param removed unexpired entries the tag listed in every cache (an upper bound); they are unlinked in the
	 * background after the answer
	 */
	public record PurgeReport(String tag, long removed) {
	}

	/**
	 * The answer, with status 503, to a count or purge while Redis cannot be reached.
	 *
	 * @param tag the tag of the request
	 * @param error {@code Purge queued} for a purge that is queued and retried, else {@code Redis unreachable}
	 * @param message what became of the request, and what to do
	 */
	public record RedisUnavailableReport(String tag, String error, String message) {
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
