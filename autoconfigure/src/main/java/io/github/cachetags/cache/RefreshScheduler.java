package io.github.cachetags.cache;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

import io.github.cachetags.cache.TagAwareCache.Target;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Reloads entries that are read before they expire, so a hot key does not expire under traffic.
 * <p>
 * A read through a loader ({@code @Cacheable(sync = true)}, {@code Cache.get(key, loader)}) registers its key with
 * the time it was read and when the entry expires. A read in the refresh window starts a refresh at once; {@link
 * #tick()}, run on a schedule with jitter, starts refreshes of registered keys entering the window and forgets
 * keys not read for their cache's idle window, which are then left to expire. The registry holds at most {@code
 * maxKeys} keys; refreshes run on the given bounded executor, and one rejected by it is counted and skipped (the
 * old value keeps being served). Across instances a refresh takes the key's load lease, so one instance refreshes
 * a key per refresh period; see {@link TagAwareCache#refresh}.
 */
public final class RefreshScheduler {

	private final int maxKeys;

	private final LongSupplier ticker;

	private final Executor executor;

	private final DoubleSupplier random;

	private final ConcurrentMap<String, Registration> registry = new ConcurrentHashMap<>();

	private final LongAdder unregistered = new LongAdder();

	/**
	 * @param maxKeys most keys registered at once; reads of further keys are not refreshed
	 * @param ticker monotonic clock in nanoseconds
	 * @param executor runs refreshes; should be bounded and reject when full
	 */
	public RefreshScheduler(int maxKeys, LongSupplier ticker, Executor executor) {
		this(maxKeys, ticker, executor, () -> ThreadLocalRandom.current().nextDouble());
	}

	/**
	 * @param maxKeys most keys registered at once; reads of further keys are not refreshed
	 * @param ticker monotonic clock in nanoseconds
	 * @param executor runs refreshes; should be bounded and reject when full
	 * @param random uniform numbers in [0, 1) for jitter and probabilistic early refresh
	 */
	public RefreshScheduler(int maxKeys, LongSupplier ticker, Executor executor, DoubleSupplier random) {
		Assert.isTrue(maxKeys > 0, "maxKeys must be positive");
		this.maxKeys = maxKeys;
		this.ticker = ticker;
		this.executor = executor;
		this.random = random;
	}

	/**
	 * Records a read of a valid entry and refreshes it now if it is due: in its cache's refresh window, or chosen
	 * by probabilistic early refresh.
	 * @param remainingMillis how long the entry stays valid (not counting a stale grace period)
	 * @param loadMillis how long the entry's load took, 0 if unknown
	 */
	void onRead(TagAwareCache cache, Target target, Object key, Callable<?> loader, EntryTags tags,
			long remainingMillis, long loadMillis) {
		Freshness freshness = cache.getSettings().freshness();
		Registration registration = register(cache, target, key, loader, tags, remainingMillis);
		boolean due = freshness.refreshAhead() && remainingMillis <= windowMillis(cache);
		if (!due && freshness.earlyRefreshBeta() > 0 && loadMillis > 0) {
			// XFetch: refresh when -delta * beta * ln(U) reaches the time left
			double draw = -loadMillis * freshness.earlyRefreshBeta()
					* Math.log(1.0 - this.random.getAsDouble());
			due = draw >= remainingMillis;
		}
		if (due) {
			submit((registration != null) ? registration
					: new Registration(cache, target, key, loader, tags, this.ticker.getAsLong(), remainingMillis));
		}
	}

	/**
	 * Refreshes an entry now, for a read served a stale value.
	 */
	void refreshNow(TagAwareCache cache, Target target, Object key, Callable<?> loader, EntryTags tags) {
		Registration registration = register(cache, target, key, loader, tags, 0);
		submit((registration != null) ? registration
				: new Registration(cache, target, key, loader, tags, this.ticker.getAsLong(), 0));
	}

	/**
	 * Forgets keys not read within their cache's idle window and starts refreshes of the others that have entered
	 * their refresh window. Cheap: no Redis call unless a refresh starts.
	 */
	public void tick() {
		long now = this.ticker.getAsLong();
		Iterator<Registration> registrations = this.registry.values().iterator();
		while (registrations.hasNext()) {
			Registration registration = registrations.next();
			TagAwareCache cache = registration.cache;
			if (now - registration.lastRead > cache.getSettings().idle().toNanos()) {
				registrations.remove();
				continue;
			}
			if (!cache.getSettings().freshness().refreshAhead()) {
				continue;
			}
			// a random part of the window, so that instances do not all ask at the same tick
			long window = Duration.ofMillis(windowMillis(cache)).toNanos();
			long threshold = window - (long) (window * 0.25 * this.random.getAsDouble());
			if (registration.expiresAt - now <= threshold) {
				submit(registration);
			}
		}
	}

	/**
	 * Keys registered now.
	 */
	public int registeredKeys() {
		return this.registry.size();
	}

	/**
	 * Reads not registered because the registry was full.
	 */
	public long unregisteredReads() {
		return this.unregistered.sum();
	}

	void forget(Target target) {
		this.registry.remove(target.flightKey());
	}

	private @Nullable Registration register(TagAwareCache cache, Target target, Object key, Callable<?> loader,
			EntryTags tags, long remainingMillis) {
		long now = this.ticker.getAsLong();
		Registration registration = this.registry.get(target.flightKey());
		if (registration == null) {
			if (this.registry.size() >= this.maxKeys) {
				this.unregistered.increment();
				return null;
			}
			registration = this.registry.computeIfAbsent(target.flightKey(),
					(flightKey) -> new Registration(cache, target, key, loader, tags, now, remainingMillis));
		}
		registration.read(loader, tags, now, remainingMillis);
		return registration;
	}

	private void submit(Registration registration) {
		if (!registration.running.compareAndSet(false, true)) {
			return;
		}
		try {
			this.executor.execute(() -> {
				try {
					long remaining = registration.cache.refresh(registration.target, registration.key,
							registration.loader, registration.tags, registration.caller);
					registration.expiresAt = this.ticker.getAsLong() + Duration.ofMillis(remaining).toNanos();
				}
				finally {
					registration.running.set(false);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			registration.running.set(false);
			registration.cache.refreshRejected(ex);
		}
	}

	private static long windowMillis(TagAwareCache cache) {
		CacheSettings settings = cache.getSettings();
		return (long) (settings.ttl().toMillis() * settings.freshness().refreshWithin());
	}

	private static final class Registration {

		final TagAwareCache cache;

		final Target target;

		final Object key;

		volatile Callable<?> loader;

		volatile EntryTags tags;

		volatile long lastRead;

		volatile long expiresAt;

		final AtomicBoolean running = new AtomicBoolean();

		/** The context of the read that registered the key: refreshes run as that caller. */
		final CallerContext.Snapshot caller;

		Registration(TagAwareCache cache, Target target, Object key, Callable<?> loader, EntryTags tags, long now,
				long remainingMillis) {
			this.caller = cache.captureCaller();
			this.cache = cache;
			this.target = target;
			this.key = key;
			this.loader = loader;
			this.tags = tags;
			this.lastRead = now;
			this.expiresAt = now + Duration.ofMillis(remainingMillis).toNanos();
		}

		void read(Callable<?> loader, EntryTags tags, long now, long remainingMillis) {
			this.loader = loader;
			this.tags = tags;
			this.lastRead = now;
			this.expiresAt = now + Duration.ofMillis(remainingMillis).toNanos();
		}

	}

}
