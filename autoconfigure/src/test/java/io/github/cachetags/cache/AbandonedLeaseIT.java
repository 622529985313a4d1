package io.github.cachetags.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.SetArgs;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A load lease nobody uses any more does not hold readers until it expires: after a Redis hiccup, a reader waits
 * at most one load, not the lease time.
 */
class AbandonedLeaseIT {

	/** Long enough that a reader waiting for the lease to expire would fail the test's bound. */
	static final String LONG_LEASE = "cachetags.coalescing.lease-time=10m";

	static final Duration BOUND = Duration.ofSeconds(30);

	@Test
	void aLeaseThisInstanceAbandonedIsTakenOverAtOnce() {
		ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
			.withPropertyValues(LONG_LEASE);
		contexts.run((context) -> {
			TagAwareCache cache = context.getBean(TagAwareCacheManager.class).getCache("quotes");
			String lease = cache.target("ACME").namespace().value() + "l:ACME";
			try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
				redis.sync().set(lease, cache.leases().instance + "0badcafe", SetArgs.Builder.px(600_000));
			}
			AtomicInteger loads = new AtomicInteger();

			String value = assertTimeoutPreemptively(BOUND,
					() -> cache.get("ACME", () -> "ACME@" + loads.incrementAndGet(), EntryTags.NONE));

			assertThat(value).isEqualTo("ACME@1");
			assertThat(cache.get("ACME").get()).as("stored under the taken-over lease").isEqualTo("ACME@1");
		});
	}

	@Test
	void aLeaseOfAnotherInstanceIsRespectedUntilItsTime() {
		ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
			.withPropertyValues("cachetags.coalescing.lease-time=300ms");
		contexts.run((context) -> {
			TagAwareCache cache = context.getBean(TagAwareCacheManager.class).getCache("quotes");
			String lease = cache.target("ACME").namespace().value() + "l:ACME";
			try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
				redis.sync().set(lease, "0ther1nstance.1", SetArgs.Builder.px(600_000));

				String value = assertTimeoutPreemptively(BOUND, () -> cache.get("ACME", () -> "ACME@1", EntryTags.NONE));

				assertThat(value).isEqualTo("ACME@1");
				assertThat(redis.sync().get(lease)).as("not taken from a loader that may still be running")
					.isEqualTo("0ther1nstance.1");
			}
		});
	}

	@Test
	void afterRedisSleptThroughAMissNoReaderWaitsForTheLeaseItTook() {
		try (RedisServer server = RedisServer.startProcess()) {
			CacheTagsContexts.onRedis(server)
				.withPropertyValues(LONG_LEASE, "spring.data.redis.timeout=200ms", "cachetags.redis-retry-interval=50ms")
				.run((context) -> {
					TagAwareCache cache = context.getBean(TagAwareCacheManager.class).getCache("quotes");
					AtomicInteger loads = new AtomicInteger();
					try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
						CompletableFuture<String> sleep = redis.async()
							.dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
									new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(4))
							.toCompletableFuture();

						assertThat(cache.get("ACME", () -> "ACME@" + loads.incrementAndGet(), EntryTags.NONE))
							.as("the miss timed out; the method ran uncached").isEqualTo("ACME@1");
						sleep.get();

						long started = System.nanoTime();
						String value = assertTimeoutPreemptively(BOUND,
								() -> cache.get("ACME", () -> "ACME@" + loads.incrementAndGet(), EntryTags.NONE));
						System.out.printf("[lease] first read of the key after a 4 s DEBUG SLEEP took %d ms"
								+ " (lease time 10 minutes)%n", (System.nanoTime() - started) / 1_000_000);
						assertThat(value).startsWith("ACME@");
					}
				});
		}
	}

}
