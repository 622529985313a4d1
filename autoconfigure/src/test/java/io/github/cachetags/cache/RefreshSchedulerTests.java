package io.github.cachetags.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.cachetags.cache.TagAwareCache.Target;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.serializer.RedisSerializer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which keys the refresh scheduler refreshes and when, with a moved clock and an executor that only records.
 */
class RefreshSchedulerTests {

	private static final Duration TTL = Duration.ofSeconds(10);

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final List<Runnable> submitted = new ArrayList<>();

	private final AtomicBoolean executorFull = new AtomicBoolean();

	private final RefreshScheduler scheduler = new RefreshScheduler(2, this.now::get, (task) -> {
		if (this.executorFull.get()) {
			throw new RejectedExecutionException("full");
		}
		this.submitted.add(task);
	}, () -> 0.5);

	private final Callable<Object> loader = () -> "value";

	@Test
	void aKeyReadInItsRefreshWindowIsRefreshedAtOnce() {
		TagAwareCache cache = cache(new Freshness(true, 0.2, null, 0, 0, Duration.ZERO, Duration.ZERO));
		read(cache, "k", 1_000);
		assertThat(this.submitted).hasSize(1);
	}

	@Test
	void aKeyReadEarlierIsRefreshedByTheTickOnceItEntersItsWindow() {
		TagAwareCache cache = cache(new Freshness(true, 0.2, null, 0, 0, Duration.ZERO, Duration.ZERO));
		read(cache, "k", 9_000);
		assertThat(this.submitted).isEmpty();
		advance(Duration.ofSeconds(5));
		this.scheduler.tick();
		assertThat(this.submitted).as("4s left, outside the 2s window").isEmpty();
		advance(Duration.ofSeconds(3));
		this.scheduler.tick();
		assertThat(this.submitted).as("1s left").hasSize(1);
	}

	@Test
	void aRefreshInProgressIsNotStartedTwice() {
		TagAwareCache cache = cache(new Freshness(true, 0.2, null, 0, 0, Duration.ZERO, Duration.ZERO));
		read(cache, "k", 1_000);
		read(cache, "k", 900);
		this.scheduler.tick();
		assertThat(this.submitted).hasSize(1);
	}

	@Test
	void aKeyNotReadWithinItsIdleWindowIsForgottenAndNeverRefreshed() {
		TagAwareCache cache = cache(
				new Freshness(true, 0.2, Duration.ofSeconds(3), 0, 0, Duration.ZERO, Duration.ZERO));
		read(cache, "k", 9_000);
		advance(Duration.ofSeconds(4));
		this.scheduler.tick();
		assertThat(this.scheduler.registeredKeys()).isZero();
		advance(Duration.ofSeconds(4));
		this.scheduler.tick();
		assertThat(this.submitted).isEmpty();
	}

	@Test
	void theRegistryHoldsAtMostMaxKeys() {
		TagAwareCache cache = cache(new Freshness(true, 0.2, null, 0, 0, Duration.ZERO, Duration.ZERO));
		read(cache, "a", 9_000);
		read(cache, "b", 9_000);
		read(cache, "c", 9_000);
		assertThat(this.scheduler.registeredKeys()).isEqualTo(2);
		assertThat(this.scheduler.unregisteredReads()).isEqualTo(1);
	}

	@Test
	void aRefreshRejectedByAFullExecutorIsCountedAndTriedAgainLater() {
		TagAwareCache cache = cache(new Freshness(true, 0.2, null, 0, 0, Duration.ZERO, Duration.ZERO));
		this.executorFull.set(true);
		read(cache, "k", 1_000);
		assertThat(cache.getStatistics().refreshesRejected()).isEqualTo(1);
		this.executorFull.set(false);
		this.scheduler.tick();
		assertThat(this.submitted).hasSize(1);
	}

	@Test
	void earlyRefreshPicksKeysWhoseLoadIsLongComparedWithTheTimeLeft() {
		TagAwareCache cache = cache(new Freshness(false, 0.2, null, 0, 1.0, Duration.ZERO, Duration.ZERO));
		// with the random draw fixed at 0.5: a load of 10 s with 1 ms left, -10000 * ln(0.5) >= 1
		read(cache, "slow-load", 1, 10_000);
		// a load of 1 ms with 9 s left: -1 * ln(0.5) < 9000
		read(cache, "fast-load", 9_000, 1);
		assertThat(this.submitted).hasSize(1);
	}

	@Test
	void withoutRefreshAheadTheTickRefreshesNothing() {
		TagAwareCache cache = cache(new Freshness(false, 0.2, null, 0, 0, Duration.ofSeconds(5), Duration.ZERO));
		read(cache, "k", 100);
		this.scheduler.tick();
		assertThat(this.submitted).isEmpty();
	}

	private void read(TagAwareCache cache, String key, long remainingMillis) {
		read(cache, key, remainingMillis, 0);
	}

	private void read(TagAwareCache cache, String key, long remainingMillis, long loadMillis) {
		Target target = new Target(Namespace.of("ct", Namespace.NO_TENANT, cache.getName(), 1, 0), key,
				Namespace.NO_TENANT);
		this.scheduler.onRead(cache, target, key, this.loader, EntryTags.NONE, remainingMillis, loadMillis);
	}

	private void advance(Duration duration) {
		this.now.addAndGet(duration.toNanos());
	}

	private TagAwareCache cache(Freshness freshness) {
		RedisTagStore store = new RedisTagStore(new LettuceConnectionFactory(), "ct", Duration.ofSeconds(30), 100);
		CacheInfrastructure infrastructure = new CacheInfrastructure("ct", store, RedisSerializer.java(),
				new Tenancy(null), new OutageBackoff(Duration.ofSeconds(1), this.now::get), this.now::get,
				Coalescing.DEFAULTS, this.scheduler, Runnable::run, CallerContext.NONE);
		return new TagAwareCacheManager(infrastructure, (name) -> new CacheSettings(TTL, true, 1, 1, freshness),
				List.of("quotes"), false)
			.getCache("quotes");
	}

}
