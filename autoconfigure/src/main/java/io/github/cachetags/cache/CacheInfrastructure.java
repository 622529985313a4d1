package io.github.cachetags.cache;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.github.cachetags.store.RedisTagStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * What every cache of one manager shares: the store, the value serializer, the Redis clock, the tenant, and the
 * handling of Redis failures (logged at most every {@link #WARN_INTERVAL} at WARN, counted, and followed by a
 * back-off).
 *
 * @param keyPrefix prefix of every Redis key
 * @param store the Redis protocol
 * @param serializer value serializer
 * @param tenancy tenant of the current call
 * @param backoff skips Redis for a while after a failure
 * @param ticker local monotonic clock in nanoseconds
 * @param coalescing how concurrent misses on one key are coalesced
 * @param refresher refreshes entries ahead of expiry
 * @param asyncExecutor runs {@code Cache.retrieve} reads and loads
 * @param callerContext captures the caller's thread-bound context for background work
 */
public record CacheInfrastructure(String keyPrefix, RedisTagStore store, RedisSerializer<Object> serializer,
		Tenancy tenancy, OutageBackoff backoff, LongSupplier ticker, Coalescing coalescing,
		RefreshScheduler refresher, Executor asyncExecutor, CallerContext callerContext) {

	static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

	private static final Log logger = LogFactory.getLog(TagAwareCache.class);

	private static final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);

	String tenant() {
		return this.tenancy.current();
	}

	long nanoTime() {
		return this.ticker.getAsLong();
	}

	boolean redisAllowed() {
		return this.backoff.allowsCall();
	}

	void succeeded() {
		this.backoff.succeeded();
	}

	/**
	 * Records a failed call of one cache: counted, logged (rate-limited), and followed by a back-off when Redis
	 * itself failed.
	 */
	void failed(String cacheName, CacheStatistics statistics, String action, RuntimeException ex) {
		statistics.error();
		boolean redisTrouble = isRedisFailure(ex);
		if (redisTrouble) {
			this.backoff.failed();
		}
		long now = this.ticker.getAsLong();
		long last = lastWarning.get();
		String message = "Cache '" + cacheName + "' could not " + action
				+ (redisTrouble ? "; continuing without Redis for a moment: " : ": ") + ex;
		if ((last == Long.MIN_VALUE || now - last > WARN_INTERVAL.toNanos()) && lastWarning.compareAndSet(last, now)) {
			logger.warn(message);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message, ex);
		}
	}

	/**
	 * Logs a warning, at most one every {@link #WARN_INTERVAL} with the Redis failures; the rest at DEBUG.
	 */
	void warn(String message) {
		long now = this.ticker.getAsLong();
		long last = lastWarning.get();
		if ((last == Long.MIN_VALUE || now - last > WARN_INTERVAL.toNanos()) && lastWarning.compareAndSet(last, now)) {
			logger.warn(message);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message);
		}
	}

	/**
	 * Restores a caller's context on this thread, for work done for it in the background.
	 * @throws CallerContextException if the tenant does not then resolve as it did for the caller: the work
	 * must not run, or it would read another tenant's data into this tenant's entry
	 */
	CallerContext.Scope restoreCaller(CallerContext.Snapshot caller, String expectedTenant, String cacheName) {
		CallerContext.Scope scope = caller.restore();
		String tenant;
		try {
			tenant = tenant();
		}
		catch (RuntimeException ex) {
			scope.close();
			throw ex;
		}
		if (!tenant.equals(expectedTenant)) {
			scope.close();
			throw new CallerContextException("Cache '" + cacheName + "' cannot run a background load as tenant '"
					+ expectedTenant + "': on a CacheTags thread the tenant resolves to '" + tenant
					+ "'. Register a ThreadLocalAccessor for the tenant with Micrometer's ContextRegistry"
					+ " (context-propagation) so background work carries it.");
		}
		return scope;
	}

	static boolean isRedisFailure(Throwable ex) {
		return ex instanceof DataAccessException || ex.getClass().getName().startsWith("io.lettuce");
	}

}
