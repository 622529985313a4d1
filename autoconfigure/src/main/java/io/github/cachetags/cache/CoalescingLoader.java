package io.github.cachetags.cache;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import io.github.cachetags.cache.FreshnessPolicy.Read;
import io.github.cachetags.cache.TagAwareCache.Target;
import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.store.RedisTagStore.StoreResult;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.Cache.ValueWrapper;

/**
 * Loads a missing value once for all concurrent callers.
 * <p>
 * In this instance the first caller registers an in-flight future that the others wait on. That caller asks for
 * the key's lease in the same round trip as its read; holding it, it loads and stores (releasing the lease in the
 * same call). If another instance holds the lease, it re-reads the entry with a doubling pause until the value
 * appears, the lease falls to it, or the lease time has passed, in which case it loads and stores only if no entry
 * appeared meanwhile. A waiter in this instance that has waited a lease time without an answer joins the polling
 * itself, so a stalled loader is replaced by one other load, not by one per waiter.
 * <p>
 * A waiter takes the flight's value only if it cannot predate a purge that returned before the waiter arrived: a
 * hit read after the waiter arrived; a loaded value whose load began after the waiter arrived; or a loaded value
 * that Redis stored (so no invalidation came between its load start and its write) with a write sent after the
 * waiter arrived. A value that was not stored (refused, a null that is not cached, Redis unreachable or skipped)
 * is never shared with earlier arrivals. Such a waiter reads again on its own. A lease held by a token of this
 * instance that no load uses any more (its release was lost in a Redis hiccup) is taken over at once instead of
 * waited out. Polling was chosen over
 * pub/sub notification: it needs no extra connection or channel per key, works the same on a cluster, and a
 * waiter costs one short read per pause.
 */
final class CoalescingLoader {

	private final RedisEntries entries;

	private final FreshnessPolicy freshness;

	private final CacheStatistics statistics;

	private final Coalescing settings;

	private final LeaseTokens leases;

	private final java.util.function.LongSupplier ticker;

	private final ConcurrentMap<String, FlightState> flights = new ConcurrentHashMap<>();

	CoalescingLoader(RedisEntries entries, FreshnessPolicy freshness, CacheStatistics statistics,
			Coalescing settings, LeaseTokens leases, java.util.function.LongSupplier ticker) {
		this.entries = entries;
		this.freshness = freshness;
		this.statistics = statistics;
		this.settings = settings;
		this.leases = leases;
		this.ticker = ticker;
	}

	@SuppressWarnings("unchecked")
	<T> @Nullable T load(Target target, Object key, Callable<T> valueLoader, EntryTags tags) {
		if (!this.settings.enabled()) {
			return (T) loadUncoordinated(target, key, valueLoader, tags);
		}
		long arrived = System.nanoTime();
		FlightState mine = new FlightState();
		FlightState flight = this.flights.putIfAbsent(target.flightKey(), mine);
		if (flight != null) {
			return (T) await(flight, arrived, target, key, valueLoader, tags);
		}
		try {
			Flight result = lead(target, key, valueLoader, tags, mine);
			mine.future.complete(result);
			return (T) result.value();
		}
		catch (RuntimeException | Error ex) {
			mine.future.completeExceptionally(ex);
			throw ex;
		}
		finally {
			this.flights.remove(target.flightKey(), mine);
		}
	}

	private <T> Flight lead(Target target, Object key, Callable<T> valueLoader, EntryTags tags, FlightState state) {
		String token = this.leases.take();
		try {
			return lead(target, key, valueLoader, tags, state, token);
		}
		finally {
			this.leases.done(token);
		}
	}

	private <T> Flight lead(Target target, Object key, Callable<T> valueLoader, EntryTags tags, FlightState state,
			String token) {
		long deadline = System.nanoTime() + this.settings.leaseTime().toNanos();
		long pause = this.settings.firstPoll().toNanos();
		boolean waited = false;
		while (true) {
			state.sentAt = System.nanoTime();
			NearCache.Ticket nearTicket = this.entries.nearTicket(target);
			Lookup lookup = this.entries.lookup(target, token);
			Read read = this.freshness.serve(target, key, valueLoader, tags, lookup, nearTicket);
			if (read.value() != null) {
				if (waited) {
					this.statistics.miss();
					this.statistics.coalescedWait();
				}
				else {
					this.statistics.hit();
				}
				return new Flight(read.value().get(), waited, true);
			}
			if (lookup instanceof Lookup.Hit) {
				this.statistics.miss();
				// past expiry and past stale-while-revalidate: load, falling back on the stale value if allowed
				return loadOrFallBack(target, key, valueLoader, tags, read.fallback(), state);
			}
			Lookup.Miss miss = (Lookup.Miss) lookup;
			boolean redisReached = miss.redisReached();
			boolean leaseHeld = miss.leaseHeld() || (this.leases.abandonedHere(miss.leaseHolder())
					&& this.entries.takeOverLease(target, miss.leaseHolder(), token));
			if (leaseHeld || !redisReached || System.nanoTime() - deadline > 0) {
				this.statistics.miss();
				String mode = leaseHeld ? token : RedisTagStore.IF_ABSENT;
				return loadAndStore(target, key, valueLoader, tags, miss.start(), mode, state);
			}
			waited = true;
			LockSupport.parkNanos(Math.min(pause, Math.max(0, deadline - System.nanoTime()) + 1));
			pause = Math.min(pause * 2, this.settings.maxPoll().toNanos());
		}
	}

	private <T> @Nullable Object await(FlightState flight, long arrived, Target target, Object key,
			Callable<T> valueLoader, EntryTags tags) {
		try {
			Flight result = flight.future.get(
					this.settings.leaseTime().toMillis() + this.settings.maxPoll().toMillis(), TimeUnit.MILLISECONDS);
			if (!result.shareable() || flight.sentAt - arrived <= 0) {
				// it may predate a purge that returned before this caller arrived: read again, outside the flights
				// (a miss then waits on the lease like another instance would)
				return lead(target, key, valueLoader, tags, new FlightState()).value();
			}
			if (result.loaded()) {
				this.statistics.miss();
				this.statistics.coalescedWait();
			}
			else {
				this.statistics.hit();
			}
			return result.value();
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new ValueRetrievalException(key, valueLoader, cause);
		}
		catch (TimeoutException ex) {
			// the leader is stuck: wait on the lease like another instance would, and take it over when it expires
			return lead(target, key, valueLoader, tags, new FlightState()).value();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
	}

	/**
	 * Loads and stores a value; the flight is shareable with waiters that arrived before {@code state.sentAt}:
	 * the store's send time if Redis stored it, else the load's start.
	 */
	private <T> Flight loadAndStore(Target target, Object key, Callable<T> valueLoader, EntryTags tags,
			LoadStart start, String mode, FlightState state) {
		long loadStarted = System.nanoTime();
		Loaded<T> loaded;
		try {
			loaded = call(key, valueLoader);
		}
		catch (ValueRetrievalException ex) {
			if (!mode.equals(RedisTagStore.IF_ABSENT)) {
				this.entries.release(target, mode);
			}
			throw ex;
		}
		long storeSent = System.nanoTime();
		StoreResult result = this.entries.storeLoaded(target, loaded.value(), tags, start, mode, loaded.nanos());
		state.sentAt = (result == StoreResult.STORED) ? storeSent : loadStarted;
		return new Flight(loaded.value(), true, true);
	}

	private <T> Flight loadOrFallBack(Target target, Object key, Callable<T> valueLoader, EntryTags tags,
			@Nullable ValueWrapper fallback, FlightState state) {
		LoadStart start = this.entries.loadStartNow(target);
		long loadStarted = System.nanoTime();
		Loaded<T> loaded;
		try {
			loaded = call(key, valueLoader);
		}
		catch (ValueRetrievalException ex) {
			if (fallback == null) {
				throw ex;
			}
			this.freshness.servedStaleOnError(ex);
			// a stale value is for this caller only
			return new Flight(fallback.get(), true, false);
		}
		long storeSent = System.nanoTime();
		StoreResult result = this.entries.storeLoaded(target, loaded.value(), tags, start, RedisTagStore.LOAD,
				loaded.nanos());
		state.sentAt = (result == StoreResult.STORED) ? storeSent : loadStarted;
		return new Flight(loaded.value(), true, true);
	}

	private <T> @Nullable Object loadUncoordinated(Target target, Object key, Callable<T> valueLoader,
			EntryTags tags) {
		NearCache.Ticket nearTicket = this.entries.nearTicket(target);
		Lookup lookup = this.entries.lookup(target, null);
		Read read = this.freshness.serve(target, key, valueLoader, tags, lookup, nearTicket);
		if (read.value() != null) {
			this.statistics.hit();
		}
		else {
			this.statistics.miss();
		}
		if (read.value() != null) {
			return read.value().get();
		}
		if (lookup instanceof Lookup.Hit) {
			return loadOrFallBack(target, key, valueLoader, tags, read.fallback(), new FlightState()).value();
		}
		LoadStart start = ((Lookup.Miss) lookup).start();
		Loaded<T> loaded = call(key, valueLoader);
		this.entries.storeLoaded(target, loaded.value(), tags, start, RedisTagStore.LOAD, loaded.nanos());
		return loaded.value();
	}

	/**
	 * Calls the loader and times it.
	 */
	private <T> Loaded<T> call(Object key, Callable<T> valueLoader) {
		long started = this.ticker.getAsLong();
		try {
			T value = valueLoader.call();
			long nanos = this.ticker.getAsLong() - started;
			this.statistics.load(true, nanos);
			return new Loaded<>(value, nanos);
		}
		catch (Exception ex) {
			this.statistics.load(false, this.ticker.getAsLong() - started);
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
	}

	/**
	 * A loaded value and how long its load took.
	 */
	private record Loaded<T>(@Nullable T value, long nanos) {
	}

	/**
	 * What one flight gave its waiters: the value, and whether it had to be loaded (rather than read).
	 */
	private record Flight(@Nullable Object value, boolean loaded, boolean shareable) {
	}

	/**
	 * One flight in progress: its outcome, and when its leader last sent the Redis call that may decide it.
	 */
	private static final class FlightState {

		final CompletableFuture<Flight> future = new CompletableFuture<>();

		volatile long sentAt = Long.MAX_VALUE;

	}

}
