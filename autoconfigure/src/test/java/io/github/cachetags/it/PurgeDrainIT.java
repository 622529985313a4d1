package io.github.cachetags.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A purge returns once its entries are invalid, and their memory is freed afterwards by a background drain that
 * survives the instance that started it: recorded in Redis with a claim, resumed by another instance once the
 * claim lapses.
 */
class PurgeDrainIT {

	static final int ENTRIES = 500;


	private static final byte[] VALUE = "\"v\"".getBytes(StandardCharsets.UTF_8);

	@Test
	void aDrainLeftByAStoppedInstanceIsResumedByAnotherOnceItsClaimLapses() {
		String prefix = "drain-resumed";
		CacheTagsContexts.onRedis(RedisServer.shared()).run((context) -> {
			RedisConnectionFactory connections = context.getBean(RedisConnectionFactory.class);
			AtomicLong clock = new AtomicLong(System.currentTimeMillis());
			// an instance that stops right after its purge returns: its drain never runs
			RedisTagStore stopped = stoppedInstance(connections, prefix, clock);
			RedisTagStore other = instance(connections, prefix, clock);
			Namespace shard = Namespace.of(prefix, Namespace.NO_TENANT, "drained", 1, 0);
			for (int i = 0; i < ENTRIES; i++) {
				put(stopped, shard, "k" + i, List.of("t"));
			}
			try (RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
				String entries = "{" + prefix + ":_:drained:0}:v1:e:*";

				assertThat(stopped.purge(List.of(shard), "t")).as("entries the tag listed").isEqualTo(ENTRIES);

				assertThat(redis.countKeys(entries)).as("entries still in memory: the purge did not wait")
					.isEqualTo(ENTRIES);
				assertThat(stopped.lookup(shard, "k1", null, Duration.ofSeconds(1)))
					.as("an entry of the purged tag, before its drain").isInstanceOf(Lookup.Miss.class);
				put(stopped, shard, "k2", List.of("t"));

				other.resumeDrains();
				assertThat(other.drainsInProgress()).as("drains resumed while the claim holds").isZero();
				assertThat(redis.countKeys(entries)).as("k1 unlinked by its read").isEqualTo(ENTRIES - 1);

				clock.addAndGet(RedisTagStore.DRAIN_CLAIM.toMillis() + 1);
				other.resumeDrains();
				awaitDrained(other, "the resumed drain");

				assertThat(redis.countKeys(entries)).as("left: the entry stored after the purge").isEqualTo(1);
				assertThat(other.lookup(shard, "k2", null, Duration.ofSeconds(1))).isInstanceOf(Lookup.Hit.class);
				assertThat(redis.sync().zcard(prefix + ":drains")).as("drains still recorded").isZero();
				assertThat(redis.countKeys("{" + prefix + ":_:drained:0}:v1:d:*")).as("drain keys left").isZero();
			}
			finally {
				other.close();
			}
		});
	}

	@Test
	void aDrainRunsOnceAndLeavesNothingRecorded() {
		String prefix = "drain-once";
		CacheTagsContexts.onRedis(RedisServer.shared()).run((context) -> {
			RedisConnectionFactory connections = context.getBean(RedisConnectionFactory.class);
			try (RedisTagStore store = new RedisTagStore(connections, prefix, Duration.ofSeconds(30), 7,
					Duration.ZERO); RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
				Namespace shard = Namespace.of(prefix, Namespace.NO_TENANT, "once", 1, 0);
				for (int i = 0; i < 100; i++) {
					put(store, shard, "k" + i, List.of((i % 2 == 0) ? "even" : "odd"));
				}

				assertThat(store.purge(List.of(shard), "even")).isEqualTo(50);
				awaitDrained(store, "the drain");

				assertThat(redis.countKeys("{" + prefix + ":_:once:0}:v1:e:*")).as("the odd entries").isEqualTo(50);
				assertThat(redis.sync().zcard("{" + prefix + ":_:once:0}:v1:i:odd")).as("the other tag's index")
					.isEqualTo(50);
				assertThat(redis.sync().zcard(prefix + ":drains")).isZero();
			}
		});
	}

	@Test
	void aClearSweepsItsShardInTheBackgroundAndKeepsWhatWasStoredAfterIt() {
		String prefix = "drain-clear";
		CacheTagsContexts.onRedis(RedisServer.shared()).run((context) -> {
			RedisConnectionFactory connections = context.getBean(RedisConnectionFactory.class);
			try (RedisTagStore store = new RedisTagStore(connections, prefix, Duration.ofSeconds(30), 7,
					Duration.ZERO); RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
				Namespace cleared = Namespace.of(prefix, Namespace.NO_TENANT, "cleared", 1, 0);
				Namespace kept = Namespace.of(prefix, Namespace.NO_TENANT, "kept", 1, 0);
				for (int i = 0; i < 100; i++) {
					put(store, cleared, "k" + i, List.of());
					put(store, kept, "k" + i, List.of());
				}

				assertThat(store.purge(List.of(cleared), RedisTagStore.CACHE_TAG)).as("stored since the last clear")
					.isEqualTo(1);
				put(store, cleared, "after", List.of());
				awaitDrained(store, "the sweep");

				assertThat(redis.countKeys("{" + prefix + ":_:cleared:0}:v1:e:*")).as("left: the entry stored after")
					.isEqualTo(1);
				assertThat(store.lookup(cleared, "after", null, Duration.ofSeconds(1))).isInstanceOf(Lookup.Hit.class);
				assertThat(redis.countKeys("{" + prefix + ":_:kept:0}:v1:e:*")).as("another cache's entries")
					.isEqualTo(100);
				assertThat(store.purge(List.of(kept), RedisTagStore.CACHE_TAG)).isEqualTo(1);
				assertThat(store.purge(List.of(kept), RedisTagStore.CACHE_TAG)).as("nothing stored since").isZero();
			}
		});
	}

	@Test
	void aDrainThatRunsLateKeepsWhatWasStoredAfterALaterPurge() {
		String prefix = "drain-late";
		CacheTagsContexts.onRedis(RedisServer.shared()).run((context) -> {
			RedisConnectionFactory connections = context.getBean(RedisConnectionFactory.class);
			AtomicLong clock = new AtomicLong(System.currentTimeMillis());
			RedisTagStore stopped = stoppedInstance(connections, prefix, clock);
			Namespace shard = Namespace.of(prefix, Namespace.NO_TENANT, "late", 1, 0);
			try (RedisTagStore other = instance(connections, prefix, clock);
					RedisCommandsForTests redis = new RedisCommandsForTests(RedisServer.shared())) {
				for (int i = 0; i < 10; i++) {
					put(stopped, shard, "k" + i, List.of("t"));
				}
				stopped.purge(List.of(shard), "t");
				put(stopped, shard, "k1", List.of("t"));
				stopped.purge(List.of(shard), RedisTagStore.CACHE_TAG);
				put(stopped, shard, "k2", List.of("t"));
				stopped.purge(List.of(shard), "t");
				stopped.purge(List.of(shard), RedisTagStore.CACHE_TAG);
				assertThat(stopped.purge(List.of(shard), RedisTagStore.CACHE_TAG))
					.as("a clear with nothing stored since the last one").isZero();
				assertThat(redis.sync().zcard(prefix + ":drains")).as("drains recorded: 2 of the tag, 2 sweeps")
					.isEqualTo(4);
				// stored after the last purge and clear, before any drain ran (k10 in no drained index: a key stored
				// again without the purged tag is unlinked by that tag's drain, one extra miss)
				put(stopped, shard, "k1", List.of("t"));
				put(stopped, shard, "k10", List.of());

				clock.addAndGet(RedisTagStore.DRAIN_CLAIM.toMillis() + 1);
				other.resumeDrains();
				awaitDrained(other, "the late drains");

				assertThat(other.lookup(shard, "k1", null, Duration.ofSeconds(1))).as("k1, stored last")
					.isInstanceOf(Lookup.Hit.class);
				assertThat(other.lookup(shard, "k10", null, Duration.ofSeconds(1))).as("k10, stored last")
					.isInstanceOf(Lookup.Hit.class);
				assertThat(redis.countKeys("{" + prefix + ":_:late:0}:v1:e:*")).as("entries left").isEqualTo(2);
				assertThat(redis.sync().zcard(prefix + ":drains")).isZero();
			}
		});
	}

	/** An instance that stops right after each purge returns: its drains never run. */
	private static RedisTagStore stoppedInstance(RedisConnectionFactory connections, String prefix, AtomicLong clock) {
		return new RedisTagStore(connections, prefix, Duration.ofSeconds(30), 100, Duration.ZERO, (drain) -> {
		}, clock::get);
	}

	private static RedisTagStore instance(RedisConnectionFactory connections, String prefix, AtomicLong clock) {
		return new RedisTagStore(connections, prefix, Duration.ofSeconds(30), 100, Duration.ZERO, null, clock::get);
	}

	/** A replacing write of VALUE for ten minutes. */
	private static void put(RedisTagStore store, Namespace shard, String key, List<String> tags) {
		store.store(shard, key, VALUE, Duration.ofMinutes(10), LoadStart.NOW, 0, tags, RedisTagStore.REPLACE);
	}

	private static void awaitDrained(RedisTagStore store, String what) {
		await(what).atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> store.drainsInProgress() == 0);
	}

}
