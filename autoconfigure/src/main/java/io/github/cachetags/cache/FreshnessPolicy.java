package io.github.cachetags.cache;

import java.time.Duration;
import java.util.concurrent.Callable;

import io.github.cachetags.cache.TagAwareCache.Target;
import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.RefreshDecision;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueWrapper;

/**
 * What a read through a loader serves around an entry's expiry, and the refreshes that keep entries fresh: a valid
 * value registers its key for refresh-ahead; past expiry, the previous value is served within the
 * stale-while-revalidate window while it is refreshed in the background, or kept as a fallback for a failing load
 * within the stale-if-error window (see {@link Freshness}). A refresh is a load like any other, so a purge during
 * it is never undone.
 */
final class FreshnessPolicy {

	private final TagAwareCache cache;

	private final CacheSettings settings;

	private final CacheInfrastructure infrastructure;

	private final CacheStatistics statistics;

	private final RedisEntries entries;

	private final LeaseTokens leases;

	FreshnessPolicy(TagAwareCache cache, CacheInfrastructure infrastructure, RedisEntries entries,
			LeaseTokens leases) {
		this.cache = cache;
		this.settings = cache.getSettings();
		this.infrastructure = infrastructure;
		this.statistics = cache.getStatistics();
		this.entries = entries;
		this.leases = leases;
	}

	/**
	 * Serves a read made with a loader: a valid value, registering the key for refresh; or, past expiry, the
	 * previous value within the stale-while-revalidate window, refreshing it in the background. Otherwise the
	 * caller loads, and may fall back on {@link Read#fallback()} if its load fails (stale-if-error).
	 */
	Read serve(Target target, Object key, Callable<?> loader, EntryTags tags, Lookup lookup,
			NearCache.@Nullable Ticket nearTicket) {
		if (!(lookup instanceof Lookup.Hit hit)) {
			return Read.MISS;
		}
		ValueWrapper value = this.entries.read(target, lookup, nearTicket);
		if (value == null) {
			return Read.MISS;
		}
		Freshness freshness = this.settings.freshness();
		long valid = freshness.validMillis(hit.remainingMillis());
		if (valid > 0) {
			registerRead(target, key, loader, tags, valid, hit.loadMillis());
			return new Read(value, null);
		}
		if (-valid < freshness.staleWhileRevalidate().toMillis()) {
			this.statistics.servedStale();
			this.infrastructure.refresher().refreshNow(this.cache, target, key, loader, tags);
			return new Read(value, null);
		}
		return new Read(null, (-valid < freshness.staleIfError().toMillis()) ? value : null);
	}

	/**
	 * Records a read of a valid value (from Redis or the near cache) for refresh-ahead and early refresh.
	 */
	void registerRead(Target target, Object key, Callable<?> loader, EntryTags tags, long validMillis,
			long loadMillis) {
		if (this.settings.freshness().needsScheduler()) {
			this.infrastructure.refresher().onRead(this.cache, target, key, loader, tags, validMillis, loadMillis);
		}
	}

	/**
	 * Counts a stale value served because its load failed.
	 */
	void servedStaleOnError(Exception loadFailure) {
		this.statistics.servedStale();
		this.infrastructure.warn("Cache '" + this.cache.getName() + "' served a stale value because its load failed: "
				+ loadFailure);
	}

	/**
	 * Reloads an entry ahead of its expiry if no other instance has, holding the key's load lease. The value is
	 * stored under the shard stamp read when the lease was taken, so a purge or eviction during the refresh makes
	 * the store refuse it. Never throws: a failed refresh is counted and logged, and the previous value stays.
	 * @return how long the entry now stays valid in milliseconds, or -1 if unknown
	 */
	long refresh(Target target, Object key, Callable<?> loader, EntryTags tags, CallerContext.Snapshot caller) {
		if (!this.entries.usable()) {
			return -1;
		}
		String token = this.leases.take();
		try {
			return refresh(target, key, loader, tags, caller, token);
		}
		finally {
			this.leases.done(token);
		}
	}

	private long refresh(Target target, Object key, Callable<?> loader, EntryTags tags, CallerContext.Snapshot caller,
			String token) {
		Freshness freshness = this.settings.freshness();
		long graceMillis = freshness.grace().toMillis();
		long windowMillis = (long) (this.settings.ttl().toMillis() * freshness.refreshWithin());
		RefreshDecision decision = this.entries.tryRefresh(target, token,
				Duration.ofMillis(windowMillis + graceMillis));
		if (decision instanceof RefreshDecision.Fresh fresh) {
			return fresh.remainingMillis() - graceMillis;
		}
		if (!(decision instanceof RefreshDecision.Leased leased)) {
			return -1;
		}
		long started = this.infrastructure.nanoTime();
		Object value;
		try (CallerContext.Scope scope = this.infrastructure.restoreCaller(caller, target.tenant(),
				this.cache.getName())) {
			value = loader.call();
		}
		catch (CallerContextException ex) {
			this.entries.release(target, token);
			refreshRejected(ex);
			return -1;
		}
		catch (Exception ex) {
			this.statistics.refresh(false);
			this.entries.release(target, token);
			this.infrastructure.warn("Cache '" + this.cache.getName()
					+ "' could not refresh an entry; the previous value is served until it expires: " + ex);
			return -1;
		}
		this.statistics.refresh(true);
		this.entries.storeLoaded(target, value, tags, leased.start(), token, this.infrastructure.nanoTime() - started);
		return this.settings.ttl().toMillis();
	}

	void refreshRejected(RuntimeException ex) {
		this.statistics.refreshRejected();
		this.infrastructure.warn("Cache '" + this.cache.getName() + "' skipped a refresh: " + ex);
	}

	/**
	 * What a read with a loader serves: a value, or nothing and perhaps a stale value to fall back on.
	 */
	record Read(@Nullable ValueWrapper value, @Nullable ValueWrapper fallback) {

		static final Read MISS = new Read(null, null);

	}

}
