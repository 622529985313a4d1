package io.github.cachetags.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.util.Assert;

/**
 * The Redis protocol of CacheTags: every read, write, eviction and purge is one Lua script call on keys of
 * one hash slot, and nothing runs over an unbounded collection.
 * <p>
 * Writes are synchronous: a method returns once Redis has applied the change. Errors surface as Spring's
 * {@code DataAccessException}s; the caller decides whether they may fail a business call (the cache never
 * lets them).
 */
public class RedisTagStore {

	/** The tag every entry carries implicitly: its cache. Purging it clears the cache shard. */
	public static final String CACHE_TAG = "";

	/** How many expired members a write prunes from each index it touches. */
	static final int PRUNE_PER_WRITE = 16;

	private static final String REGISTRY_SUFFIX = ":caches";

	private static final LuaScript GET = LuaScript.load("get");

	private static final LuaScript PUT = LuaScript.load("put");

	private static final LuaScript EVICT = LuaScript.load("evict");

	private static final LuaScript PURGE = LuaScript.load("purge");

	private static final LuaScript DRAIN = LuaScript.load("drain");

	private static final LuaScript COUNT = LuaScript.load("count");

	private static final LuaScript RELEASE = LuaScript.load("release");

	private static final LuaScript REFRESH = LuaScript.load("refresh");

	/** Store mode: only if no entry exists (a late loader must not overwrite a fresher value). */
	public static final String IF_ABSENT = "!nx";

	private final RedisConnectionFactory connectionFactory;

	private final byte[] registryKey;

	private final long guardMillis;

	private final int purgeBatchSize;

	/**
	 * @param connectionFactory the application's Redis connection factory
	 * @param keyPrefix the prefix of every key this store writes
	 * @param loadGuard how long a purge or eviction keeps refusing values whose load began before it, and the
	 * age past which a load's value is not stored at all
	 * @param purgeBatchSize how many entries one purge step unlinks at most
	 */
	public RedisTagStore(RedisConnectionFactory connectionFactory, String keyPrefix, Duration loadGuard,
			int purgeBatchSize) {
		Assert.isTrue(!loadGuard.isNegative() && !loadGuard.isZero(), "loadGuard must be positive");
		Assert.isTrue(purgeBatchSize > 0, "purgeBatchSize must be positive");
		this.connectionFactory = connectionFactory;
		this.registryKey = Namespace.bytes(keyPrefix + REGISTRY_SUFFIX);
		this.guardMillis = loadGuard.toMillis();
		this.purgeBatchSize = purgeBatchSize;
	}

	/**
	 * Reads an entry and checks its tags in one round trip.
	 */
	public Lookup lookup(Namespace namespace, String userKey) {
		return lookup(namespace, userKey, null, Duration.ZERO);
	}

	/**
	 * Reads an entry and, on a miss, tries to take the key's load lease with the given token, in one round
	 * trip. The lease is held until it expires or is released by {@link #store} or {@link #release}.
	 */
	public Lookup lookup(Namespace namespace, String userKey, @Nullable String leaseToken, Duration leaseTime) {
		List<Object> reply = execute((connection) -> (leaseToken != null)
				? GET.run(connection, ReturnType.MULTI, 1, namespace.entryKey(userKey), namespace.bytes(),
						ascii(leaseToken), ascii(Math.max(1, leaseTime.toMillis())), Namespace.bytes(userKey))
				: GET.run(connection, ReturnType.MULTI, 1, namespace.entryKey(userKey), namespace.bytes()));
		if (asLong(reply.get(0)) == 1) {
			return new Lookup.Hit((byte[]) reply.get(1), asLong(reply.get(2)), asLong(reply.get(3)));
		}
		return new Lookup.Miss(asLong(reply.get(1)) * 1_000_000 + asLong(reply.get(2)), asLong(reply.get(3)) == 1);
	}

	/**
	 * Takes the key's load lease for a refresh ahead of expiry, unless the entry is gone or still lives longer
	 * than {@code refreshWithin} (another instance refreshed it), in one round trip.
	 */
	public RefreshDecision tryRefresh(Namespace namespace, String userKey, String leaseToken, Duration leaseTime,
			Duration refreshWithin) {
		List<Object> reply = execute((connection) -> REFRESH.run(connection, ReturnType.MULTI, 2,
				namespace.entryKey(userKey), namespace.leaseKey(userKey), ascii(leaseToken),
				ascii(Math.max(1, leaseTime.toMillis())), ascii(refreshWithin.toMillis())));
		return switch ((int) asLong(reply.get(0))) {
			case 0 -> new RefreshDecision.Fresh(asLong(reply.get(1)));
			case 1 -> new RefreshDecision.Leased(asLong(reply.get(1)) * 1_000_000 + asLong(reply.get(2)));
			case 2 -> RefreshDecision.Busy.INSTANCE;
			default -> RefreshDecision.Gone.INSTANCE;
		};
	}

	/**
	 * Releases a load lease if the token still holds it.
	 */
	public void release(Namespace namespace, String userKey, String leaseToken) {
		execute((connection) -> RELEASE.run(connection, ReturnType.INTEGER, 1, namespace.leaseKey(userKey),
				ascii(leaseToken)));
	}

	/**
	 * Stores an entry under the current marks of its tags and of its cache.
	 * @param loadStartMicros Redis time at which the value's load began; a purge of any of the tags, a clear,
	 * or an eviction of the key at or after that time makes the store refuse the value
	 * @return whether the value was stored
	 */
	public boolean store(Namespace namespace, String userKey, byte[] value, Duration ttl, long loadStartMicros,
			List<String> tags) {
		return store(namespace, userKey, value, ttl, loadStartMicros, 0, tags, "") == StoreResult.STORED;
	}

	/**
	 * Stores an entry as {@link #store(Namespace, String, byte[], Duration, long, List)} does, first releasing
	 * the load lease {@code leaseOrMode} if it is a lease token, or storing only if no entry exists if it is
	 * {@link #IF_ABSENT}. {@code loadMillis}, how long the load took, is kept with the entry for probabilistic
	 * early refresh.
	 */
	public StoreResult store(Namespace namespace, String userKey, byte[] value, Duration ttl, long loadStartMicros,
			long loadMillis, List<String> tags, String leaseOrMode) {
		byte[][] keysAndArgs = new byte[12 + tags.size()][];
		keysAndArgs[0] = namespace.entryKey(userKey);
		keysAndArgs[1] = namespace.bytes();
		keysAndArgs[2] = Namespace.bytes(userKey);
		keysAndArgs[3] = value;
		keysAndArgs[4] = ascii(Math.max(1, ttl.toMillis()));
		keysAndArgs[5] = ascii(loadStartMicros);
		keysAndArgs[6] = ascii(this.guardMillis);
		keysAndArgs[7] = ascii(randomToken());
		keysAndArgs[8] = ascii(PRUNE_PER_WRITE);
		keysAndArgs[9] = ascii(leaseOrMode);
		keysAndArgs[10] = ascii(Math.max(0, loadMillis));
		keysAndArgs[11] = Namespace.bytes(CACHE_TAG);
		for (int i = 0; i < tags.size(); i++) {
			keysAndArgs[12 + i] = Namespace.bytes(tags.get(i));
		}
		Long stored = execute((connection) -> PUT.run(connection, ReturnType.INTEGER, 1, keysAndArgs));
		if (stored == null || stored == 0) {
			return StoreResult.REFUSED;
		}
		return (stored == 1) ? StoreResult.STORED : StoreResult.EXISTS;
	}

	/**
	 * What a write did.
	 */
	public enum StoreResult {

		/** The value was stored. */
		STORED,

		/** A purge, clear or eviction happened after the load began, or the load was too old. */
		REFUSED,

		/** An entry existed and the write asked to store only if absent. */
		EXISTS

	}

	/**
	 * Removes an entry and leaves a tombstone that refuses values whose load began before now.
	 * @return whether an entry was present
	 */
	public boolean evict(Namespace namespace, String userKey) {
		Long removed = execute((connection) -> EVICT.run(connection, ReturnType.INTEGER, 2,
				namespace.entryKey(userKey), namespace.tombstoneKey(userKey), ascii(this.guardMillis)));
		return removed != null && removed > 0;
	}

	/**
	 * Removes an entry that cannot be read (for example one that no longer deserializes).
	 */
	public void delete(Namespace namespace, String userKey) {
		execute((connection) -> connection.keyCommands().unlink(namespace.entryKey(userKey)));
	}

	/**
	 * Purges a tag from the given cache shards.
	 * <p>
	 * First every shard's tag mark is replaced (one O(1) script call each): from then on no entry stored under
	 * the old mark is returned, and no value whose load began earlier is stored. Then the entries are unlinked
	 * in batches of at most {@code purgeBatchSize}, so no single command blocks Redis.
	 * @return how many entries were unlinked
	 */
	public long purge(List<Namespace> shards, String tag) {
		return execute((connection) -> {
			List<Drain> drains = new ArrayList<>(shards.size());
			for (Namespace shard : shards) {
				String token = randomToken();
				byte[] drainKey = shard.drainKey(token);
				List<Object> reply = PURGE.run(connection, ReturnType.MULTI, 4, shard.markKey(tag),
						shard.indexKey(tag), drainKey, shard.watermarkKey(), ascii(token), ascii(this.guardMillis));
				if (asLong(reply.get(1)) == 1) {
					drains.add(new Drain(shard, drainKey, (byte[]) reply.get(0)));
				}
			}
			long removed = 0;
			for (Drain drain : drains) {
				removed += drain(connection, drain, tag);
			}
			return removed;
		});
	}

	private long drain(RedisConnection connection, Drain drain, String tag) {
		byte[] batch = ascii(this.purgeBatchSize);
		byte[] tagBytes = Namespace.bytes(tag);
		byte[] cacheIndex = drain.shard().indexKey(CACHE_TAG);
		long removed = 0;
		long left;
		do {
			List<Object> reply = DRAIN.run(connection, ReturnType.MULTI, 2, drain.key(), cacheIndex,
					drain.shard().bytes(), tagBytes, drain.mark(), batch);
			removed += asLong(reply.get(0));
			left = asLong(reply.get(1));
		}
		while (left > 0);
		return removed;
	}

	/**
	 * Counts unexpired members of a tag's index in one shard. The figure is an upper bound: an entry
	 * invalidated through another of its tags stays listed until it expires or is pruned.
	 */
	public long count(Namespace namespace, String tag) {
		Long count = execute((connection) -> COUNT.run(connection, ReturnType.INTEGER, 1, namespace.indexKey(tag)));
		return (count != null) ? count : 0;
	}

	/**
	 * Current Redis server time in microseconds since the epoch.
	 */
	public long serverTimeMicros() {
		Long micros = execute((connection) -> connection.serverCommands().time(TimeUnit.MICROSECONDS));
		Assert.state(micros != null, "TIME returned nothing");
		return micros;
	}

	/**
	 * Records a cache layout in the registry that cross-cache purges read, so a purge also reaches caches
	 * that only other instances have created.
	 */
	public void register(String descriptor) {
		execute((connection) -> connection.setCommands().sAdd(this.registryKey, Namespace.bytes(descriptor)));
	}

	/**
	 * Gives each shard a purge watermark of 0 ("no purge yet") if it has none. Without one, a shard's first
	 * write is refused, because a missing watermark may mean a lost one (see {@code put.lua}).
	 */
	public void initializeWatermarks(List<Namespace> shards) {
		execute((connection) -> {
			for (Namespace shard : shards) {
				connection.stringCommands()
					.set(shard.watermarkKey(), ascii(0), Expiration.persistent(), SetOption.ifAbsent());
			}
			return null;
		});
	}

	/**
	 * Cache layouts recorded by every instance. The registry holds one member per cache and version.
	 */
	public Set<String> registered() {
		Set<byte[]> members = execute((connection) -> connection.setCommands().sMembers(this.registryKey));
		Set<String> result = new HashSet<>();
		if (members != null) {
			members.forEach((member) -> result.add(new String(member, StandardCharsets.UTF_8)));
		}
		return result;
	}

	/**
	 * The {@code INFO memory} section of the server (on a cluster, of the node that answers).
	 */
	public Properties memoryInfo() {
		Properties info = execute((connection) -> connection.serverCommands().info("memory"));
		return (info != null) ? info : new Properties();
	}

	/**
	 * The server's {@code INFO} (default sections), for sampled server gauges.
	 */
	public Properties serverInfo() {
		Properties info = execute((connection) -> connection.serverCommands().info());
		return (info != null) ? info : new Properties();
	}

	private <T> T execute(Function<RedisConnection, @Nullable T> action) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			return action.apply(connection);
		}
	}

	private static String randomToken() {
		return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
	}

	private static byte[] ascii(long value) {
		return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] ascii(String value) {
		return value.getBytes(StandardCharsets.US_ASCII);
	}

	private static long asLong(Object value) {
		if (value instanceof Long number) {
			return number;
		}
		return Long.parseLong(new String((byte[]) value, StandardCharsets.US_ASCII));
	}

	private record Drain(Namespace shard, byte[] key, byte[] mark) {
	}

}
