package io.github.cachetags.cache;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.github.cachetags.TenantResolver;
import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.store.Lookup;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.Instances;
import io.github.cachetags.test.NearCaches;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.TcpProxy;
import io.lettuce.core.ScriptOutputType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.support.SimpleValueWrapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Interleavings and setups that could make a near cache serve a value it must not (invariant 14, and 1, 8, 10),
 * each forced against a real redis-server: hooks in a {@link RedisTagStore} subclass, or the package-private seams
 * of the near cache, put the steps in the order that would break it. {@code NearCacheIT} covers the ordinary
 * paths; this class the corners.
 */
class NearCacheInterleavingsIT {

	static final Duration MAX_STALENESS = Duration.ofMillis(600);

	/** Far above the documented bound (two check intervals, two thirds of max-staleness, plus a check). */
	static final Duration STALENESS_BOUND = MAX_STALENESS.multipliedBy(5);

	static final Duration PATIENCE = Duration.ofSeconds(20);

	static RedisServer server;

	@BeforeAll
	static void startServer() {
		server = RedisServer.startProcess();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	static ApplicationContextRunner instance(String prefix, String... more) {
		return instance(server, prefix, more);
	}

	static ApplicationContextRunner instance(RedisServer redis, String prefix, String... more) {
		return CacheTagsContexts.onRedis(redis)
			.withPropertyValues("cachetags.key-prefix=" + prefix, "cachetags.caches.items.local.enabled=true",
					"cachetags.caches.items.local.max-staleness=" + MAX_STALENESS.toMillis() + "ms",
					"cachetags.caches.items.ttl=60s", "cachetags.eviction-policy-check=ignore")
			.withPropertyValues(more);
	}

	// ---------------------------------------------------------------------------------------------------------
	// (b) a shard's place in the sequence is read AFTER the Redis read whose value is filed
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * Instance B has never filed anything in the shard (or the shard was reset by a distrust, or let go when idle).
	 * A purge runs between B's Redis read and the moment B learns where the shard stands in the sequence, and B
	 * loses its message. B must learn the sequence before the read is sent, so that the check notices the loss.
	 */
	@Test
	void aPurgeBetweenAFirstFillsReadAndItsSequenceReadIsNoticedWhenItsMessageIsLost() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(List.of(instance(prefix), instance(prefix).withUserConfiguration(HookStoreConfiguration.class)),
				(instances) -> {
					instances.forEach(NearCacheInterleavingsIT::awaitTrusted);
					TagAwareCache a = items(instances.get(0));
					TagAwareCache b = items(instances.get(1));
					HookStore bStore = instances.get(1).getBean(HookStore.class);
					AtomicReference<String> database = new AtomicReference<>("v1");
					EntryTags tags = tags("item:k1");
					assertThat(a.get("k1", database::get, tags)).isEqualTo("v1");

					AtomicLong purgeReturned = new AtomicLong();
					bStore.dropMessages((message) -> message.endsWith("item:k1"));
					bStore.beforeSequenceOn(Thread.currentThread(), () -> {
						database.set("v2");
						manager(instances.get(0)).purge("item:k1");
						purgeReturned.set(System.nanoTime());
					});
					// B: near miss, Redis hit "v1", fill -> track -> (purge by A, message lost for B) -> sequence read
					assertThat(b.get("k1", database::get, tags)).as("a read concurrent with the purge").isIn("v1", "v2");
					assertThat(purgeReturned.get()).as("the purge ran between B's read and its sequence read").isNotZero();
					awaitDropped(bStore, 1);

					awaitValue(b, "k1", database::get, tags, "v2", purgeReturned.get());
				});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (b) a partitioned instance whose check is stuck in a Redis call stays trusted
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * With the default command timeout (Lettuce: 60 s), a cut instance's check thread blocks in a Redis call for
	 * that long. Trust must lapse on its own when probes stop coming back, so near entries are not served past the
	 * max staleness after another instance purged them.
	 */
	@Test
	void aPartitionedInstanceWithTheDefaultCommandTimeoutStopsServingItsNearValuesWithinTheMaxStaleness() {
		String prefix = CacheTagsContexts.uniquePrefix();
		try (TcpProxy proxy = new TcpProxy(server)) {
			Instances.run(List.of(instance(prefix), instance(prefix).withPropertyValues(proxy.springProperties())),
					(instances) -> {
						instances.forEach(NearCacheInterleavingsIT::awaitTrusted);
						TagAwareCache cut = items(instances.get(1));
						NearCache near = nearOf(cut);
						TagAwareCache.Target target = cut.target("p");
						EntryTags tags = tags("item:p");
						awaitNearHit(instances.get(1), () -> cut.get("p", () -> "v1", tags));
						proxy.cut();
						manager(instances.get(0)).purge("item:p");
						long returned = System.nanoTime();
						long deadline = returned + STALENESS_BOUND.toNanos();
						long servedFor = -1;
						try {
							while (System.nanoTime() - deadline < 0) {
								// the near tier alone, as a read does first: a read that reaches the cut Redis would wait
								// the command timeout
								NearShard.Entry entry = near.get(target);
								if (entry == null) {
									servedFor = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - returned);
									break;
								}
								assertThat(entry.value().get()).isEqualTo("v1");
								LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
							}
						}
						finally {
							proxy.restore();
						}
						assertThat(servedFor).as("ms the cut instance served the purged value (-1: still after %d ms)",
								STALENESS_BOUND.toMillis())
							.isBetween(0L, 2 * MAX_STALENESS.toMillis());
					});
		}
	}

	// ---------------------------------------------------------------------------------------------------------
	// (b) Redis goes back in time (restart from an older RDB/AOF, a failover that lost writes): same epoch
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * A restart that loads an older snapshot keeps the stamp key's epoch but takes its sequence {@code s} back. A
	 * near cache that followed the later messages is then ahead of Redis, and a message lost after the restore must
	 * still be noticed. Redis's regression is emulated by setting {@code s} back by hand, as the snapshot would
	 * (the marks and entries the snapshot also takes back are not involved: the purge below is made after it).
	 */
	@Test
	void aPurgeWhoseMessageIsLostAfterRedisWentBackToAnOlderSnapshotIsNoticed() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(List.of(instance(prefix), instance(prefix).withUserConfiguration(HookStoreConfiguration.class)),
				(instances) -> {
					instances.forEach(NearCacheInterleavingsIT::awaitTrusted);
					TagAwareCacheManager purging = manager(instances.get(0));
					TagAwareCache b = items(instances.get(1));
					HookStore bStore = instances.get(1).getBean(HookStore.class);
					NearStatistics bNear = b.getNearStatistics();
					AtomicReference<String> database = new AtomicReference<>("v1");
					EntryTags tags = tags("item:g");
					awaitNearHit(instances.get(1), () -> b.get("g", database::get, tags));
					String stampKey = b.target("g").namespace().value() + "q";
					String snapshot;
					try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
						snapshot = redis.sync().hget(stampKey, "s");
						// invalidations after the snapshot, which B follows
						long applied = bNear.invalidations();
						for (int i = 0; i < 3; i++) {
							purging.purge("item:other" + i);
						}
						long deadline = System.nanoTime() + PATIENCE.toNanos();
						while (bNear.invalidations() < applied + 3) {
							assertThat(System.nanoTime() - deadline).as("B followed them").isNegative();
							LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
						}
						// Redis restarts from the snapshot: same epoch, sequence back
						if (snapshot != null) {
							redis.sync().hset(stampKey, "s", snapshot);
						}
						else {
							redis.sync().hdel(stampKey, "s");
						}
					}
					// one check of B at least sees Redis behind it (a gap, if it noticed)
					long gaps = bNear.gaps();
					long deadline = System.nanoTime() + MAX_STALENESS.multipliedBy(2).dividedBy(3).toNanos();
					while (bNear.gaps() == gaps && System.nanoTime() - deadline < 0) {
						LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
					}
					awaitNearHit(instances.get(1), () -> b.get("g", database::get, tags));

					database.set("v2");
					bStore.dropMessages((message) -> message.endsWith("item:g"));
					purging.purge("item:g");
					long returned = System.nanoTime();
					awaitDropped(bStore, 1);
					awaitValue(b, "g", database::get, tags, "v2", returned);
				});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (a) the instance that puts: a read that drains the invalidation queue files the old value
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * {@code Cache.put} while an invalidation is queued removes the key later instead of writing it. A concurrent
	 * read whose lookup sends the queue and reads the old value from Redis must not leave that value near once the
	 * put returned: the putting thread's next read must not see it.
	 */
	@Test
	void aPutWhileAnInvalidationIsQueuedIsNotUndoneByAReadThatSendsTheQueue() {
		String prefix = CacheTagsContexts.uniquePrefix();
		instance(prefix, "cachetags.redis-retry-interval=10m").run((context) -> {
			awaitTrusted(context);
			TagAwareCacheManager manager = manager(context);
			TagAwareCache cache = items(context);
			NearCoherence coherence = manager.getNearCoherence();
			cache.put("k", "v1");
			awaitNearHit(context, () -> cache.get("k"));

			// an invalidation of another cache waits in the queue (Redis was unreachable a moment ago)
			Namespace other = Namespace.of(prefix, Namespace.NO_TENANT, "other", 1, 0);
			manager.getInvalidations().evictLater("other", Namespace.NO_TENANT, other, "x");
			assertThat(manager.getInvalidations().pending()).isOne();

			Thread putter = Thread.currentThread();
			AtomicReference<Object> readMeanwhile = new AtomicReference<>();
			AtomicBoolean armed = new AtomicBoolean(true);
			manager.getInvalidations().applyLocally(new Invalidations.Local() {

				@Override
				public void purged(String cacheName, String tag, String tenant) {
					coherence.purged(cacheName, tag, tenant);
				}

				@Override
				public void evicted(Namespace namespace, String userKey) {
					coherence.evicted(namespace, userKey);
					if (Thread.currentThread() == putter && armed.getAndSet(false)) {
						// another thread reads the key now: near miss, sends the queue, reads Redis
						Thread reader = new Thread(() -> {
							ValueWrapper found = cache.get("k");
							readMeanwhile.set((found != null) ? found.get() : null);
						});
						reader.start();
						join(reader);
					}
				}

			});
			cache.put("k", "v2");
			assertThat(armed.get()).as("the put took the queued path").isFalse();
			assertThat(readMeanwhile.get()).as("the concurrent read").isEqualTo("v1");

			ValueWrapper after = cache.get("k");
			assertThat((after != null) ? after.get() : null).as("read by the thread whose put returned")
				.isNotEqualTo("v1");
		});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (a) a key invalidation that completes between a fill's put and its second check
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * A put or evict of this instance that completes while a reader is filing the old value must never return with
	 * the old value visible near: the filing and its check are one step. Readers hammer the key while one thread
	 * puts increasing values and reads each back.
	 */
	@Test
	void aThreadNeverReadsAnOlderValueThanItsOwnReturnedPut() throws Exception {
		String prefix = CacheTagsContexts.uniquePrefix();
		instance(prefix).run((context) -> {
			awaitTrusted(context);
			TagAwareCache cache = items(context);
			cache.put("n", 0L);
			AtomicBoolean stop = new AtomicBoolean();
			List<Thread> readers = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				Thread reader = new Thread(() -> {
					while (!stop.get()) {
						cache.get("n");
					}
				});
				reader.setDaemon(true);
				reader.start();
				readers.add(reader);
			}
			List<String> stale = Collections.synchronizedList(new ArrayList<>());
			long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
			long put = 0;
			try {
				while (System.nanoTime() - deadline < 0 && stale.isEmpty()) {
					put++;
					cache.put("n", put);
					ValueWrapper found = cache.get("n");
					if (found != null && ((Number) found.get()).longValue() < put) {
						stale.add("after put(" + put + ") returned, read " + found.get());
					}
				}
			}
			finally {
				stop.set(true);
				readers.forEach(NearCacheInterleavingsIT::join);
			}
			System.out.printf("[near cache] %d puts, stale reads by the putting thread: %s%n", put, stale);
			assertThat(stale).isEmpty();
		});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (a)(b) a shard let go between the two steps of NearCache.ticket()
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * A read's ticket names a shard that the check thread lets go (idle) right after the lookup. The fill must be
	 * refused, or its entry would belong to a shard no invalidation reaches, and the purging instance would serve
	 * the purged value after its purge returned. The test takes the two steps of a ticket by hand, with the
	 * release between them (a preemption of the reading thread), then fills as RedisEntries.read does.
	 */
	@Test
	void aFillWhoseTicketNamesAShardLetGoJustBeforeIsReachedByALaterPurge() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(List.of(instance(prefix), instance(prefix, "cachetags.caches.items.ttl=1s")), (instances) -> {
			instances.forEach(NearCacheInterleavingsIT::awaitTrusted);
			TagAwareCache writer = items(instances.get(0));
			TagAwareCache cache = items(instances.get(1));
			NearCoherence coherence = manager(instances.get(1)).getNearCoherence();
			NearCache near = nearOf(cache);
			EntryTags tags = tags("item:o");
			TagAwareCache.Target target = cache.target("o");
			awaitNearHit(instances.get(1), () -> cache.get("o", () -> "v0", tags));

			// ticket(), step 1: the shard is looked up
			NearShard shard = coherence.shard(target.namespace(), "items", target.tenant(), near);
			// the check thread lets it go: nothing was filed in it for the cache's TTL
			long deadline = System.nanoTime() + PATIENCE.toNanos();
			while (coherence.followedShards() > 0) {
				assertThat(System.nanoTime() - deadline).as("the idle shard is let go").isNegative();
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
			}
			// ticket(), step 2: where the shard stands, read after the release
			NearCache.Ticket ticket = new NearCache.Ticket(shard, shard.changes(), System.nanoTime());
			// the Redis read the ticket was taken for (another instance stored v1 meanwhile)
			writer.put("o", "v1", tags);
			Lookup lookup = cache.getNativeCache().lookup(target.namespace(), "o", null, Duration.ofSeconds(1), true);
			assertThat(lookup).isInstanceOf(Lookup.Hit.class);
			Lookup.Hit hit = (Lookup.Hit) lookup;
			// what RedisEntries.read does with a hit
			near.fill(target, ticket, new SimpleValueWrapper("v1"), hit.tags(), hit.remainingMillis(), 0);
			assertThat(cache.get("o").get()).as("filed near").isEqualTo("v1");

			manager(instances.get(1)).purge("item:o");
			ValueWrapper after = cache.get("o");
			assertThat((after != null) ? after.get() : null).as("read by the purging instance after its purge")
				.isNotEqualTo("v1");
		});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (g) Redis ACLs without channel permissions: every invalidation fails, near caches or not
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * Every purge, evict and replacing write publishes from its script. A Redis user without channel permissions
	 * (the default for users created on Redis 7: acl-pubsub-default resetchannels) must still purge, evict and put:
	 * the publish may fail, the invalidation must not.
	 */
	@Test
	void invalidationsWorkForARedisUserWithoutChannelPermissions() {
		try (RedisServer redis = RedisServer.startProcess("--acl-pubsub-default", "resetchannels")) {
			try (RedisCommandsForTests admin = new RedisCommandsForTests(redis)) {
				admin.sync()
					.dispatch(io.lettuce.core.protocol.CommandType.ACL,
							new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
							new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
								.add("SETUSER")
								.add("app")
								.add("on")
								.add(">secret")
								.add("~*")
								.add("+@all"));
			}
			CacheTagsContexts.onRedis(redis)
				.withPropertyValues("spring.data.redis.username=app", "spring.data.redis.password=secret",
						"cachetags.caches.plain.ttl=60s", "cachetags.eviction-policy-check=ignore")
				.run((context) -> {
					TagAwareCacheManager manager = manager(context);
					TagAwareCache plain = manager.getCache("plain");
					assertThat(plain.get("k", () -> "v1", tags("t"))).isEqualTo("v1");
					assertThat(plain.get("k").get()).as("stored").isEqualTo("v1");
					assertThatCode(() -> manager.purge("t")).as("a purge (no near cache anywhere)")
						.doesNotThrowAnyException();
					plain.evict("k");
					assertThat(manager.getInvalidations().pending()).as("invalidations queued").isZero();
				});
		}
	}

	// ---------------------------------------------------------------------------------------------------------
	// (b) key messages carry the key's UTF-8 bytes; the near entry is keyed by the Java string
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * A key that does not survive UTF-8 encoding (an unpaired surrogate) would be announced as its encoding, which
	 * names no near entry on other instances. Such a key is stored under a hash, so the eviction reaches them.
	 */
	@Test
	void anEvictionReachesOtherInstancesWhateverTheKeysCharacters() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(instance(prefix), 2, (instances) -> {
			instances.forEach(NearCacheInterleavingsIT::awaitTrusted);
			TagAwareCache evicting = items(instances.get(0));
			TagAwareCache other = items(instances.get(1));
			String key = "k\uD800";
			AtomicReference<String> database = new AtomicReference<>("v1");
			awaitNearHit(instances.get(1), () -> other.get(key, database::get, EntryTags.NONE));
			database.set("v2");
			evicting.evict(key);
			awaitValue(other, key, database::get, EntryTags.NONE, "v2", System.nanoTime());
		});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (b) rolling upgrade: instances of the previous release invalidate without announcing
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * An instance of an earlier release runs scripts without announcements: its purge replaces the mark but neither
	 * publishes nor raises the sequence. The check must still notice it (the invalidation counter moved more than
	 * the sequence). That purge is run here as the current purge.lua with an empty channel, which is what it was.
	 */
	@Test
	void aPurgeByAnInstanceOfThePreviousReleaseReachesNearCachesWithinTheMaxStaleness() throws Exception {
		String prefix = CacheTagsContexts.uniquePrefix();
		instance(prefix).run((context) -> {
			awaitTrusted(context);
			TagAwareCache cache = items(context);
			EntryTags tags = tags("item:r");
			AtomicReference<String> database = new AtomicReference<>("v1");
			awaitNearHit(context, () -> cache.get("r", database::get, tags));
			database.set("v2");
			String ns = cache.target("r").namespace().value();
			String script = resource("stamps.lua") + "\n" + resource("purge.lua");
			String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
			try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
				redis.sync()
					.eval(script, ScriptOutputType.MULTI,
							new String[] { ns + "m:item:r", ns + "i:item:r", ns + "d:" + random, ns + "q" }, ns, random,
							"60000",
							"item:r", "");
			}
			awaitValue(cache, "r", database::get, tags, "v2", System.nanoTime());
		});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (e) followed shards: never let go while not trusted; not bounded by the near cache's size
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * Reads of many tenants while the subscription cannot be made (a proxy without pub/sub, SUBSCRIBE not
	 * allowed): the shards followed must not grow with every tenant ever seen.
	 */
	@Test
	void shardsAreLetGoWhileTheSubscriptionCannotBeMade() {
		String prefix = CacheTagsContexts.uniquePrefix();
		instance(prefix, "cachetags.caches.items.ttl=1s")
			.withUserConfiguration(RefusingSubscriptionConfiguration.class, TenantConfiguration.class)
			.run((context) -> {
				TagAwareCache cache = items(context);
				NearCoherence coherence = manager(context).getNearCoherence();
				int tenants = 300;
				readOnceAsEachOf(cache, tenants);
				assertThat(coherence.trusted()).isFalse();
				System.out.printf("[near cache] untrusted, after %d tenants read once: %d shards followed%n", tenants,
						coherence.followedShards());
				long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
				while (coherence.followedShards() > 0 && System.nanoTime() - deadline < 0) {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
				}
				assertThat(coherence.followedShards()).as("shards followed 10 s after the last read (TTL 1 s)")
					.isZero();
			});
	}

	/**
	 * A shard is followed (one HMGET per check, on the one check thread) only while it holds near entries: with
	 * maximum-size 10, three hundred tenants reading once must not leave three hundred shards to check.
	 */
	@Test
	void followedShardsAreBoundedByTheNearCachesSize() {
		String prefix = CacheTagsContexts.uniquePrefix();
		instance(prefix, "cachetags.caches.items.local.maximum-size=10")
			.withUserConfiguration(TenantConfiguration.class)
			.run((context) -> {
				awaitTrusted(context);
				TagAwareCache cache = items(context);
				NearCoherence coherence = manager(context).getNearCoherence();
				int tenants = 300;
				readOnceAsEachOf(cache, tenants);
				nearOf(cache).removeAll();
				long before = commandCalls("hmget");
				long started = System.nanoTime();
				long deadline = started + coherence.checkInterval().multipliedBy(3).toNanos();
				while (System.nanoTime() - deadline < 0) {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
				}
				long hmgets = commandCalls("hmget") - before;
				System.out.printf("[near cache] trusted, maximum-size 10, %d tenants read once: %d shards followed,"
						+ " %d HMGETs in 3 check intervals with no near entry left%n", tenants, coherence.followedShards(),
						hmgets);
				assertThat(coherence.followedShards()).as("shards followed with at most 10 near entries")
					.isLessThanOrEqualTo(10);
			});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (c) a store into a key whose Redis entry was evicted is not announced
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * When Redis evicted an entry (maxmemory) that another instance keeps near, a {@code putIfAbsent} that stores
	 * another value must reach that instance's near cache. The eviction is done by hand here (UNLINK of the entry
	 * key only).
	 */
	@Test
	void aPutIfAbsentAfterRedisEvictedTheEntryReachesOtherNearCaches() {
		String prefix = CacheTagsContexts.uniquePrefix();
		Instances.run(instance(prefix), 2, (instances) -> {
			instances.forEach(NearCacheInterleavingsIT::awaitTrusted);
			TagAwareCache writing = items(instances.get(0));
			TagAwareCache other = items(instances.get(1));
			AtomicReference<String> database = new AtomicReference<>("v1");
			awaitNearHit(instances.get(1), () -> other.get("a", database::get, EntryTags.NONE));
			try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
				assertThat(redis.sync().unlink(other.target("a").namespace().value() + "e:a")).isOne();
			}
			database.set("v2");
			assertThat(writing.putIfAbsent("a", "v2")).as("stored: no entry in Redis").isNull();
			assertThat(writing.get("a").get()).isEqualTo("v2");
			awaitValue(other, "a", database::get, EntryTags.NONE, "v2", System.nanoTime());
		});
	}

	// ---------------------------------------------------------------------------------------------------------
	// (f)(g) a subscription that silently stops delivering is never made again
	// ---------------------------------------------------------------------------------------------------------

	/**
	 * A subscription that silently stops delivering (a half-open connection still says it is subscribed) must be
	 * made again, so that near caches come back without a restart.
	 */
	@Test
	void aSubscriptionThatSilentlyStopsDeliveringIsMadeAgain() {
		String prefix = CacheTagsContexts.uniquePrefix();
		instance(prefix).withUserConfiguration(HookStoreConfiguration.class).run((context) -> {
			awaitTrusted(context);
			NearCoherence coherence = manager(context).getNearCoherence();
			context.getBean(HookStore.class).silenceSubscriptionsMadeSoFar();
			long deadline = System.nanoTime() + PATIENCE.toNanos();
			while (coherence.trusted()) {
				assertThat(System.nanoTime() - deadline).as("probes missed").isNegative();
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
			}
			long recovery = System.nanoTime() + coherence.checkInterval().multipliedBy(30).toNanos();
			while (!coherence.trusted() && System.nanoTime() - recovery < 0) {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
			}
			assertThat(coherence.trusted()).as("near caches in use again 30 check intervals after the probes stopped")
				.isTrue();
		});
	}

	// ---------------------------------------------------------------------------------------------------------
	// helpers
	// ---------------------------------------------------------------------------------------------------------

	static void awaitValue(TagAwareCache cache, String key, java.util.concurrent.Callable<String> loader,
			EntryTags tags, String expected, long since) {
		long deadline = since + STALENESS_BOUND.toNanos();
		Object seen = null;
		while (System.nanoTime() - deadline < 0) {
			seen = cache.get(key, loader, tags);
			if (expected.equals(seen)) {
				long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
				assertThat(millis).as("ms until the invalidation reached this instance")
					.isLessThanOrEqualTo(2 * MAX_STALENESS.toMillis());
				return;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
		throw new AssertionError("still serving " + seen + " for '" + key + "' " + STALENESS_BOUND.toMillis()
				+ " ms after the invalidation returned (max-staleness " + MAX_STALENESS.toMillis() + " ms)");
	}

	static void awaitDropped(HookStore store, int messages) {
		long deadline = System.nanoTime() + PATIENCE.toNanos();
		while (store.dropped() < messages) {
			assertThat(System.nanoTime() - deadline).as("the message reached B's subscription, which lost it")
				.isNegative();
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
		assertThat(store.dropped()).as("messages B lost").isEqualTo(messages);
	}

	static void awaitNearHit(AssertableApplicationContext context, Runnable read) {
		NearCaches.awaitNearHit(context, "items", read);
	}

	/** Reads one key once as each of {@code tenants} tenants. */
	static void readOnceAsEachOf(TagAwareCache cache, int tenants) {
		for (int i = 0; i < tenants; i++) {
			TenantConfiguration.current.set("tenant-" + i);
			try {
				cache.get("k", () -> "v", EntryTags.NONE);
			}
			finally {
				TenantConfiguration.current.remove();
			}
		}
	}

	static void awaitTrusted(AssertableApplicationContext context) {
		NearCaches.awaitTrusted(context);
	}

	static TagAwareCacheManager manager(AssertableApplicationContext context) {
		return context.getBean(TagAwareCacheManager.class);
	}

	static TagAwareCache items(AssertableApplicationContext context) {
		return manager(context).getCache("items");
	}

	static NearCache nearOf(TagAwareCache cache) {
		try {
			Field field = TagAwareCache.class.getDeclaredField("near");
			field.setAccessible(true);
			return (NearCache) field.get(cache);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static EntryTags tags(String... tags) {
		List<String> list = List.of(tags);
		return (value) -> list;
	}

	static void join(Thread thread) {
		try {
			thread.join(PATIENCE.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		assertThat(thread.isAlive()).as("thread finished").isFalse();
	}

	static String resource(String name) {
		try (var in = RedisTagStore.class.getResourceAsStream(name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static long commandCalls(String command) {
		try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
			for (String line : redis.sync().info("commandstats").split("\r?\n")) {
				if (line.startsWith("cmdstat_" + command + ":")) {
					String field = line.substring(line.indexOf("calls=") + 6);
					return Long.parseLong(field.substring(0, field.indexOf(',')));
				}
			}
			return 0;
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class HookStoreConfiguration {

		@Bean
		HookStore hookStore(RedisConnectionFactory connectionFactory, CacheTagsProperties properties) {
			return new HookStore(connectionFactory, properties, false);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RefusingSubscriptionConfiguration {

		@Bean
		HookStore hookStore(RedisConnectionFactory connectionFactory, CacheTagsProperties properties) {
			return new HookStore(connectionFactory, properties, true);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TenantConfiguration {

		static final ThreadLocal<String> current = new ThreadLocal<>();

		@Bean
		TenantResolver tenantResolver() {
			return current::get;
		}

	}

	/**
	 * A store with seams: messages it loses, a step run right before a sequence read on a given thread, a
	 * subscription that cannot be made.
	 */
	static class HookStore extends RedisTagStore {

		private final boolean refuseSubscription;

		private volatile Predicate<String> drop = (message) -> false;

		private final AtomicInteger dropped = new AtomicInteger();

		private volatile Thread hookedThread;

		private final AtomicReference<Runnable> beforeSequence = new AtomicReference<>();

		private final AtomicInteger subscriptions = new AtomicInteger();

		private volatile int silencedUpTo;

		HookStore(RedisConnectionFactory connectionFactory, CacheTagsProperties properties,
				boolean refuseSubscription) {
			super(connectionFactory, properties.getKeyPrefix(), properties.getMaxLoadTime(),
					properties.getPurgeBatchSize());
			this.refuseSubscription = refuseSubscription;
		}

		void dropMessages(Predicate<String> drop) {
			this.drop = drop;
		}

		int dropped() {
			return this.dropped.get();
		}

		/** The subscriptions made so far deliver nothing any more, while their connections stay up. */
		void silenceSubscriptionsMadeSoFar() {
			this.silencedUpTo = this.subscriptions.get();
		}

		void beforeSequenceOn(Thread thread, Runnable step) {
			this.hookedThread = thread;
			this.beforeSequence.set(step);
		}

		@Override
		public Sequence sequence(Namespace namespace) {
			if (Thread.currentThread() == this.hookedThread) {
				Runnable step = this.beforeSequence.getAndSet(null);
				if (step != null) {
					step.run();
				}
			}
			return super.sequence(namespace);
		}

		@Override
		public RedisConnection subscribe(Consumer<byte[]> listener) {
			if (this.refuseSubscription) {
				throw new InvalidDataAccessApiUsageException("ERR unknown command 'SUBSCRIBE'");
			}
			int subscription = this.subscriptions.incrementAndGet();
			return super.subscribe((message) -> {
				if (subscription <= this.silencedUpTo) {
					return;
				}
				if (this.drop.test(new String(message, StandardCharsets.UTF_8))) {
					this.dropped.incrementAndGet();
					return;
				}
				listener.accept(message);
			});
		}

	}

}
