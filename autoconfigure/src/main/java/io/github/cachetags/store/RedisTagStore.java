package io.github.cachetags.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.util.Assert;

/**
 * The Redis protocol of CacheTags: every read, write, eviction and purge is one Lua script call on keys of
 * one hash slot, and nothing runs over an unbounded collection.
 * <p>
 * Writes are synchronous: a method returns once Redis has applied the change. Errors surface as Spring's
 * {@code DataAccessException}s; the caller decides whether they may fail a business call (the cache never
 * lets them).
 */
public class RedisTagStore implements AutoCloseable {

	/** The tag every entry carries implicitly: its cache. Purging it clears the cache shard. */
	public static final String CACHE_TAG = "";

	/**
	 * How many expired members a pruning write removes from each index it touches; one write in
	 * {@link #PRUNE_EVERY} prunes (chosen at random), so indexes lose up to 16 expired members per write on average
	 * while most writes skip the range query.
	 */
	static final int PRUNE_PER_WRITE = 128;

	/** One write in this many prunes the indexes it touches. */
	static final int PRUNE_EVERY = 8;

	private static final String REGISTRY_SUFFIX = ":layouts";

	private static final String CHANNEL_SUFFIX = ":invalidations";

	private static final String DRAINS_SUFFIX = ":drains";

	/** The {@code COUNT} of one {@code SCAN} step when shards are discovered. */
	static final int SCAN_BATCH = 1000;

	/**
	 * Longest extra time an invalidation fences off older loads beyond the max load time, to absorb the delay
	 * between the client's measure of a load's age and Redis' check; the slack is the max load time itself, between
	 * 1 and 10 seconds.
	 */
	static final Duration MAX_FENCE_SLACK = Duration.ofSeconds(10);

	/** How long an instance's claim on a purge's background drain lasts unless renewed. */
	public static final Duration DRAIN_CLAIM = Drains.CLAIM;

	/** How often {@link #resumeDrains} should run: a third of {@link #DRAIN_CLAIM}. */
	public static final Duration DRAIN_RESUME_INTERVAL = Drains.CLAIM.dividedBy(3);

	private static final String STAMPS = "stamps";

	private static final LuaScript GET = LuaScript.load("get");

	private static final LuaScript PUT = LuaScript.load("put", STAMPS);

	private static final LuaScript EVICT = LuaScript.load("evict", STAMPS);

	private static final LuaScript PURGE = LuaScript.load("purge", STAMPS);

	private static final LuaScript STAMP = LuaScript.load("stamp", STAMPS);

	private static final LuaScript DRAIN = LuaScript.load("drain", "entries");

	private static final LuaScript SWEEP = LuaScript.load("sweep", "entries");

	private static final LuaScript COUNT = LuaScript.load("count");

	private static final LuaScript CLAIM = LuaScript.load("claim");

	private static final LuaScript RELEASE = LuaScript.load("release");

	private static final LuaScript REFRESH = LuaScript.load("refresh", STAMPS);

	private static final LuaScript REGISTER = LuaScript.load("register");

	private static final LuaScript TAKEOVER = LuaScript.load("takeover");

	private static final LuaScript LAYOUTS = LuaScript.load("layouts");

	/** Store mode: a load stored only if no entry exists (a late loader must not overwrite a fresher value). */
	public static final String IF_ABSENT = "!nx";

	/** Store mode: a load stored whether or not an entry exists. */
	public static final String LOAD = "";

	/** Store mode: a replacing write ({@code Cache.put}, {@code @CachePut}); see {@link #store}. */
	public static final String REPLACE = "!put";

	private final RedisConnectionFactory connectionFactory;

	private final byte[] registryKey;

	private final byte[] drainsKey;

	private final Drains drains;

	private final byte[] channel;

	private final String keyPrefix;

	private final long guardMillis;

	private final byte[] fenceBytes;

	private final Replication replication;

	private static final byte[] ONE = { '1' };

	private static final byte[] ZERO = { '0' };

	private static final byte[] PRUNE = ascii(PRUNE_PER_WRITE);

	private static final byte[] E_FIELD = { 'e' };

	private static final byte[] S_FIELD = { 's' };

	private static final byte[] N_FIELD = { 'n' };

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
		this(connectionFactory, keyPrefix, loadGuard, purgeBatchSize, Duration.ZERO);
	}

	/**
	 * @param replicationWait how long an invalidation waits for a replica to acknowledge it when the server has
	 * replicas; zero not to wait
	 */
	public RedisTagStore(RedisConnectionFactory connectionFactory, String keyPrefix, Duration loadGuard,
			int purgeBatchSize, Duration replicationWait) {
		this(connectionFactory, keyPrefix, loadGuard, purgeBatchSize, replicationWait, null,
				System::currentTimeMillis);
	}

	/**
	 * @param drainExecutor runs the background drains of purges; {@code null} for a thread of the store's own
	 * @param clock wall-clock milliseconds of the claims on drains, compared across instances
	 */
	public RedisTagStore(RedisConnectionFactory connectionFactory, String keyPrefix, Duration loadGuard,
			int purgeBatchSize, Duration replicationWait, @Nullable Executor drainExecutor, LongSupplier clock) {
		Assert.isTrue(!loadGuard.isNegative() && !loadGuard.isZero(), "loadGuard must be positive");
		Assert.isTrue(purgeBatchSize > 0, "purgeBatchSize must be positive");
		this.connectionFactory = connectionFactory;
		this.registryKey = Namespace.bytes(keyPrefix + REGISTRY_SUFFIX);
		this.drainsKey = Namespace.bytes(keyPrefix + DRAINS_SUFFIX);
		this.channel = Namespace.bytes(keyPrefix + CHANNEL_SUFFIX);
		this.keyPrefix = keyPrefix;
		this.guardMillis = loadGuard.toMillis();
		long slack = Math.max(1000, Math.min(MAX_FENCE_SLACK.toMillis(), loadGuard.toMillis()));
		this.fenceBytes = ascii(loadGuard.toMillis() + slack);
		this.purgeBatchSize = purgeBatchSize;
		this.replication = new Replication(replicationWait);
		this.drains = new Drains(this, drainExecutor, clock);
	}

	/**
	 * How long a load may take and still be stored.
	 */
	public Duration maxLoadTime() {
		return Duration.ofMillis(this.guardMillis);
	}

	/**
	 * Reads an entry and, on a miss, tries to take the key's load lease with the given token, in one round
	 * trip. The lease is held until it expires or is released by {@link #store} or {@link #release}.
	 */
	public Lookup lookup(Namespace namespace, String userKey, @Nullable String leaseToken, Duration leaseTime) {
		return lookup(namespace, userKey, leaseToken, leaseTime, false);
	}

	/**
	 * As {@link #lookup(Namespace, String, String, Duration)}; with {@code withTags}, a hit also lists the
	 * entry's tags.
	 */
	public Lookup lookup(Namespace namespace, String userKey, @Nullable String leaseToken, Duration leaseTime,
			boolean withTags) {
		long sent = System.nanoTime();
		List<Object> reply = execute((connection) -> {
			this.replication.refreshIfDue(connection);
			byte[] primaryOnly = this.replication.readsNeedPrimary() ? ONE : ZERO;
			return (leaseToken != null)
					? GET.run(connection, ReturnType.MULTI, 2, namespace.entryKey(userKey), namespace.stampKey(),
							namespace.bytes(), this.fenceBytes, primaryOnly, ascii(leaseToken),
							ascii(Math.max(1, leaseTime.toMillis())), Namespace.bytes(userKey))
					: GET.run(connection, ReturnType.MULTI, 2, namespace.entryKey(userKey), namespace.stampKey(),
							namespace.bytes(), this.fenceBytes, primaryOnly);
		});
		if (asLong(reply.get(0)) == 2) {
			throw notPrimary();
		}
		if (asLong(reply.get(0)) == 1) {
			return hit((byte[]) reply.get(1), asLong(reply.get(2)), withTags);
		}
		return new Lookup.Miss(new LoadStart(asString(reply.get(1)), asLong(reply.get(2)), sent),
				asLong(reply.get(3)) == 1, (reply.size() > 4) ? asString(reply.get(4)) : "");
	}

	/**
	 * A hit from the stored entry as {@code get.lua} returns it, {@code <marks length>:<load ms>:<marks><value>}
	 * (see {@code put.lua}); the script has checked that the header reads.
	 */
	private static Lookup.Hit hit(byte[] entry, long remainingMillis, boolean withTags) {
		int first = indexOf(entry, (byte) ':', 0);
		int second = indexOf(entry, (byte) ':', first + 1);
		int size = (int) digits(entry, 0, first);
		long loadMillis = digits(entry, first + 1, second);
		int valueStart = second + 1 + size;
		byte[] value = java.util.Arrays.copyOfRange(entry, valueStart, entry.length);
		return new Lookup.Hit(value, remainingMillis, loadMillis,
				withTags ? tagsOf(entry, second + 1, valueStart) : List.of());
	}

	private static int indexOf(byte[] bytes, byte wanted, int from) {
		for (int i = from; i < bytes.length; i++) {
			if (bytes[i] == wanted) {
				return i;
			}
		}
		throw new IllegalStateException("Not a stored entry: no '" + (char) wanted + "' in its header");
	}

	private static long digits(byte[] bytes, int from, int to) {
		long value = 0;
		for (int i = from; i < to; i++) {
			value = value * 10 + (bytes[i] - '0');
		}
		return value;
	}

	/** The tags of an entry's stored marks ('tag\ntoken\n' pairs) between two offsets, without the cache-wide tag. */
	private static List<String> tagsOf(byte[] entry, int from, int to) {
		List<String> tags = new java.util.ArrayList<>();
		int start = from;
		while (start < to) {
			int end = indexOf(entry, (byte) '\n', start);
			if (end > start) {
				tags.add(new String(entry, start, end - start, StandardCharsets.UTF_8));
			}
			start = indexOf(entry, (byte) '\n', end + 1) + 1;
		}
		return tags;
	}

	/**
	 * Reads the load start of a write that begins now without a preceding read (such as {@code @CachePut}).
	 */
	public LoadStart loadStart(Namespace namespace) {
		long sent = System.nanoTime();
		List<Object> reply = execute((connection) -> STAMP.run(connection, ReturnType.MULTI, 1, namespace.stampKey(),
				namespace.bytes(), ascii(randomToken()), this.fenceBytes));
		return new LoadStart(asString(reply.get(0)), asLong(reply.get(1)), sent);
	}

	/**
	 * Takes the key's load lease for a refresh ahead of expiry, unless the entry is gone or still lives longer
	 * than {@code refreshWithin} (another instance refreshed it), in one round trip.
	 */
	public RefreshDecision tryRefresh(Namespace namespace, String userKey, String leaseToken, Duration leaseTime,
			Duration refreshWithin) {
		long sent = System.nanoTime();
		List<Object> reply = execute((connection) -> REFRESH.run(connection, ReturnType.MULTI, 3,
				namespace.entryKey(userKey), namespace.leaseKey(userKey), namespace.stampKey(), ascii(leaseToken),
				ascii(Math.max(1, leaseTime.toMillis())), ascii(refreshWithin.toMillis()), namespace.bytes(),
				this.fenceBytes));
		return switch ((int) asLong(reply.get(0))) {
			case 0 -> new RefreshDecision.Fresh(asLong(reply.get(1)));
			case 1 -> new RefreshDecision.Leased(new LoadStart(asString(reply.get(1)), asLong(reply.get(2)), sent));
			case 2 -> RefreshDecision.Busy.INSTANCE;
			default -> RefreshDecision.Gone.INSTANCE;
		};
	}

	/**
	 * Takes over a load lease from a holder known to have given up.
	 * @return whether the caller now holds the lease
	 */
	public boolean takeOver(Namespace namespace, String userKey, String abandoned, String leaseToken,
			Duration leaseTime) {
		Long taken = execute((connection) -> TAKEOVER.run(connection, ReturnType.INTEGER, 1,
				namespace.leaseKey(userKey), ascii(abandoned), ascii(leaseToken),
				ascii(Math.max(1, leaseTime.toMillis()))));
		return taken != null && taken == 1;
	}

	/**
	 * Releases a load lease if the token still holds it.
	 */
	public void release(Namespace namespace, String userKey, String leaseToken) {
		execute((connection) -> RELEASE.run(connection, ReturnType.INTEGER, 1, namespace.leaseKey(userKey),
				ascii(leaseToken)));
	}

	/**
	 * Stores an entry under the current marks of its tags and of its cache, in one round trip.
	 * <p>
	 * A load ({@code mode} {@link #LOAD}, {@link #IF_ABSENT} or a lease token, which is released) is refused when
	 * the key was evicted or replaced, or one of its tags or its cache purged, after {@code start}; or when
	 * {@code start} is unknown or older than the max load time. A replacing write ({@link #REPLACE}) is ordered
	 * the same way but, when refused, removes the key instead; stored or not, it fences the key so that no load
	 * begun before it stores afterwards.
	 * @param loadMillis how long the load took, kept with the entry for probabilistic early refresh
	 */
	public StoreResult store(Namespace namespace, String userKey, byte[] value, Duration ttl, LoadStart start,
			long loadMillis, List<String> tags, String mode) {
		// two keys, then ARGV[1..]: ARGV[k] is keysAndArgs[k + 1]
		byte[][] keysAndArgs = new byte[16 + tags.size()][];
		keysAndArgs[0] = namespace.entryKey(userKey);
		keysAndArgs[1] = namespace.stampKey();
		keysAndArgs[2] = namespace.bytes();
		keysAndArgs[3] = Namespace.bytes(userKey);
		keysAndArgs[4] = value;
		keysAndArgs[5] = ascii(Math.max(1, ttl.toMillis()));
		keysAndArgs[6] = ascii(start.stamp());
		keysAndArgs[7] = ascii(start.redisMicros());
		keysAndArgs[8] = ascii(this.guardMillis);
		keysAndArgs[9] = this.fenceBytes;
		keysAndArgs[10] = ascii(randomToken());
		keysAndArgs[11] = (ThreadLocalRandom.current().nextInt(PRUNE_EVERY) == 0) ? PRUNE : ZERO;
		keysAndArgs[12] = ascii(mode);
		keysAndArgs[13] = ascii(Math.max(0, loadMillis));
		keysAndArgs[14] = this.channel;
		keysAndArgs[15] = Namespace.bytes(CACHE_TAG);
		for (int i = 0; i < tags.size(); i++) {
			keysAndArgs[16 + i] = Namespace.bytes(tags.get(i));
		}
		boolean replacing = REPLACE.equals(mode);
		Long stored = execute((connection) -> {
			if (!replacing) {
				return PUT.run(connection, ReturnType.INTEGER, 2, keysAndArgs);
			}
			List<Object> reply = PUT.run(connection, ReturnType.MULTI, 2, keysAndArgs);
			if (this.replication.await(connection)) {
				byte[] held = connection.hashCommands().hGet(namespace.stampKey(), (byte[]) reply.get(1));
				Replication.verify(held != null && asString(held).equals(asString(reply.get(2))));
			}
			return asLong(reply.get(0));
		});
		if (stored == null) {
			return StoreResult.REFUSED;
		}
		return switch (stored.intValue()) {
			case 1 -> StoreResult.STORED;
			case 2 -> StoreResult.EXISTS;
			case 3 -> StoreResult.INVALIDATED;
			default -> StoreResult.REFUSED;
		};
	}

	/**
	 * What a write did.
	 */
	public enum StoreResult {

		/** The value was stored. */
		STORED,

		/** An invalidation the load could have missed happened after it began, or the load was too old. */
		REFUSED,

		/** An entry existed and the write asked to store only if absent. */
		EXISTS,

		/** A replacing write was refused, and the key was removed and fenced instead. */
		INVALIDATED

	}

	/**
	 * Removes an entry and records the eviction in the shard's stamp key, so that no value whose load began
	 * before now is stored.
	 * @return whether an entry was present
	 */
	public boolean evict(Namespace namespace, String userKey) {
		List<Object> reply = execute((connection) -> {
			List<Object> result = EVICT.run(connection, ReturnType.MULTI, 2, namespace.entryKey(userKey),
					namespace.stampKey(), namespace.bytes(), Namespace.bytes(userKey), ascii(randomToken()), this.fenceBytes, this.channel);
			if (this.replication.await(connection)) {
				byte[] held = connection.hashCommands().hGet(namespace.stampKey(), (byte[]) result.get(1));
				Replication.verify(held != null && asString(held).equals(asString(result.get(2))));
			}
			return result;
		});
		return asLong(reply.get(0)) > 0;
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
	 * Every shard's tag mark is replaced (one O(1) script call each): from then on no entry stored under the old
	 * mark is returned, and no value whose load began earlier is stored. The call returns then; the entries are
	 * unlinked afterwards, in the background, in batches of at most {@code purgeBatchSize}, so no single command
	 * blocks Redis and the caller does not wait for the memory to be freed (see {@link Drains}). A shard whose
	 * mark cannot be replaced (its node unreachable) does not stop the others: the call then throws
	 * {@link ShardsNotPurgedException} naming those shards; replacing a mark is idempotent, so they can simply be
	 * purged again.
	 * @return how many unexpired entries the tag listed (an upper bound, as {@link #count} is); for the cache-wide
	 * tag {@link #CACHE_TAG}, which has no index, 1 per shard where anything was stored since its last clear
	 */
	public long purge(List<Namespace> shards, String tag) {
		long removed = 0;
		for (long count : purgeEach(shards, tag)) {
			removed += count;
		}
		return removed;
	}

	/**
	 * Purges a tag as {@link #purge} does.
	 * @return how many unexpired entries the tag listed in each shard, in the order given
	 */
	public long[] purgeEach(List<Namespace> shards, String tag) {
		return execute((connection) -> {
			List<Drain> drains = new java.util.ArrayList<>();
			long[] listed = new long[shards.size()];
			byte[][] marks = new byte[shards.size()][];
			List<Namespace> failed = new java.util.ArrayList<>();
			RuntimeException failure = null;
			for (int i = 0; i < shards.size(); i++) {
				Namespace shard = shards.get(i);
				String token = randomToken();
				byte[] drainKey = shard.drainKey(token);
				try {
					List<Object> reply = PURGE.run(connection, ReturnType.MULTI, 4, shard.markKey(tag),
							shard.indexKey(tag), drainKey, shard.stampKey(), shard.bytes(), ascii(token), this.fenceBytes,
							Namespace.bytes(tag), this.channel);
					marks[i] = (byte[]) reply.get(0);
					// 1: an index to drain; 2: a clear, to sweep only if anything was stored since the last one
					long kind = asLong(reply.get(1));
					listed[i] = asLong(reply.get(2));
					if (kind == 1 || (kind == 2 && listed[i] > 0)) {
						drains.add(new Drain(shard, token, tag));
					}
				}
				catch (RuntimeException ex) {
					// a shard on an unreachable node: purge the others, and report this one to be purged again
					failed.add(shard);
					failure = (failure != null) ? failure : ex;
				}
			}
			try {
				if (this.replication.await(connection)) {
					for (int i = 0; i < shards.size(); i++) {
						if (marks[i] != null) {
							byte[] held = connection.stringCommands().get(shards.get(i).markKey(tag));
							Replication.verify(held != null && java.util.Arrays.equals(held, marks[i]));
						}
					}
				}
			}
			catch (Replication.NotReplicatedException ex) {
				throw new ShardsNotPurgedException(shards, ex);
			}
			finally {
				// the marks are switched on the server, so the entries are invalid there: unlinking them only frees
				// memory, also when this purge is reported as failed and retried
				this.drains.start(connection, drains);
			}
			if (failure != null) {
				throw new ShardsNotPurgedException(failed, failure);
			}
			return listed;
		});
	}

	/**
	 * Unlinks one batch of a drain of a tag's index.
	 * @return how many members are left to drain
	 */
	long drainStep(Drain drain) {
		List<Object> reply = execute((connection) -> DRAIN.run(connection, ReturnType.MULTI, 1,
				drain.shard().drainKey(drain.token()), drain.shard().bytes(), Namespace.bytes(drain.tag()),
				ascii(this.purgeBatchSize)));
		return asLong(reply.get(1));
	}

	/**
	 * Unlinks the invalid entries of one {@code SCAN} step over a cleared shard's keys (the cache-wide tag has no
	 * index).
	 * @return the next cursor, {@code "0"} when the sweep is done
	 */
	String sweepStep(Drain drain, String cursor) {
		List<Object> reply = execute((connection) -> SWEEP.run(connection, ReturnType.MULTI, 1,
				drain.shard().stampKey(), Namespace.bytes(globEscaped(drain.shard().value()) + "e:*"), ascii(cursor),
				ascii(this.purgeBatchSize), drain.shard().bytes()));
		return asString(reply.get(1));
	}

	void recordDrains(RedisConnection connection, List<Drain> drains, long claimedUntil) {
		for (Drain drain : drains) {
			connection.zSetCommands().zAdd(this.drainsKey, claimedUntil, Namespace.bytes(drain.member()));
		}
	}

	/** Renews claims on drains still recorded (one finished meanwhile by another instance is not added again). */
	void renewDrains(java.util.Collection<String> members, long claimedUntil) {
		if (members.isEmpty()) {
			return;
		}
		Set<org.springframework.data.redis.connection.zset.Tuple> claims = new java.util.LinkedHashSet<>();
		for (String member : members) {
			claims.add(new org.springframework.data.redis.connection.zset.DefaultTuple(Namespace.bytes(member),
					(double) claimedUntil));
		}
		execute((connection) -> connection.zSetCommands().zAdd(this.drainsKey, claims,
				org.springframework.data.redis.connection.RedisZSetCommands.ZAddArgs.ifExists()));
	}

	void forgetDrain(Drain drain) {
		execute((connection) -> connection.zSetCommands().zRem(this.drainsKey, Namespace.bytes(drain.member())));
	}

	boolean claimDrain(Drain drain, long now, long claimedUntil) {
		Long claimed = execute((connection) -> CLAIM.run(connection, ReturnType.INTEGER, 1, this.drainsKey,
				Namespace.bytes(drain.member()), ascii(now), ascii(claimedUntil)));
		return claimed != null && claimed == 1;
	}

	List<Drain> lapsedDrains(long now, int limit) {
		Set<byte[]> members = execute((connection) -> connection.zSetCommands()
			.zRangeByScore(this.drainsKey, Double.NEGATIVE_INFINITY, now, 0, limit));
		List<Drain> lapsed = new java.util.ArrayList<>();
		if (members != null) {
			for (byte[] member : members) {
				Drain drain = Drain.parse(new String(member, StandardCharsets.UTF_8));
				if (drain != null) {
					lapsed.add(drain);
				}
				else {
					execute((connection) -> connection.zSetCommands().zRem(this.drainsKey, member));
				}
			}
		}
		return lapsed;
	}

	/**
	 * Resumes the background drains of purges whose instance stopped before finishing them (their claim lapsed).
	 * Also renews this instance's claims on the drains it has queued or is running. Run on a schedule, every
	 * {@link #DRAIN_RESUME_INTERVAL}.
	 */
	public void resumeDrains() {
		this.drains.resume();
	}

	/**
	 * How many background drains of purges this instance is running or has queued.
	 */
	public int drainsInProgress() {
		return this.drains.inProgress();
	}

	/**
	 * Stops the background drains; their claims lapse and another instance resumes them.
	 */
	@Override
	public void close() {
		this.drains.close();
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
	 * Records cache layouts in the registry that cross-cache purges read, so a purge also reaches caches that
	 * only other instances have created. A layout stays recorded for {@code lifetime} unless recorded again, then
	 * is forgotten (an instance that still uses it records it again well before), so the registry holds the
	 * layouts in use, not every layout ever used.
	 * @return how many of the layouts were not recorded before
	 */
	public long register(List<String> descriptors, Duration lifetime) {
		byte[][] args = new byte[descriptors.size() + 2][];
		args[0] = this.registryKey;
		args[1] = ascii(Math.max(1, lifetime.toMillis()));
		for (int i = 0; i < descriptors.size(); i++) {
			args[i + 2] = Namespace.bytes(descriptors.get(i));
		}
		Long added = execute((connection) -> REGISTER.run(connection, ReturnType.INTEGER, 1, args));
		return (added != null) ? added : 0;
	}

	/**
	 * Finds the cache shards of one tenant that hold entries, by their stamp keys, with {@code SCAN} in batches of
	 * {@link #SCAN_BATCH}: for when the registry was lost and a purge must still reach every cache. Costs a walk
	 * over the key space, in bounded steps.
	 */
	public List<Namespace> discoverShards(String tenant) {
		String pattern = "{" + globEscaped(this.keyPrefix) + ":" + globEscaped(tenant) + ":*}:v*:q";
		ScanOptions options = ScanOptions.scanOptions().match(pattern).count(SCAN_BATCH).build();
		return execute((connection) -> {
			List<Namespace> shards = new java.util.ArrayList<>();
			try (Cursor<byte[]> keys = connection.keyCommands().scan(options)) {
				while (keys.hasNext()) {
					String key = new String(keys.next(), StandardCharsets.UTF_8);
					shards.add(new Namespace(key.substring(0, key.length() - 1)));
				}
			}
			return shards;
		});
	}

	/**
	 * Cache layouts recorded by every instance, and not forgotten yet.
	 */
	public Set<String> registered() {
		List<Object> members = execute((connection) -> LAYOUTS.run(connection, ReturnType.MULTI, 1, this.registryKey));
		Set<String> result = new HashSet<>();
		if (members != null) {
			members.forEach((member) -> result.add(new String((byte[]) member, StandardCharsets.UTF_8)));
		}
		return result;
	}

	/**
	 * Where one shard stands in the sequence of invalidations it announced to near caches.
	 *
	 * @param epoch the shard's epoch, {@code ""} if it has no stamp key
	 * @param sequence how many invalidations it announced in that epoch
	 * @param invalidations the shard's invalidation counter ({@code n}): every invalidation raises it by one and
	 * announces itself, so when it moved by more than {@code sequence}, some invalidation was not announced (made
	 * by an instance of an earlier release)
	 */
	public record Sequence(String epoch, long sequence, long invalidations) {
	}

	/**
	 * Reads a shard's place in the sequence of announced invalidations, in one round trip.
	 */
	public Sequence sequence(Namespace namespace) {
		List<byte[]> fields = execute((connection) -> connection.hashCommands()
			.hMGet(namespace.stampKey(), E_FIELD, S_FIELD, N_FIELD));
		if (fields == null || fields.get(0) == null) {
			return new Sequence("", 0, 0);
		}
		byte[] sequence = fields.get(1);
		byte[] invalidations = fields.get(2);
		return new Sequence(asString(fields.get(0)), (sequence != null) ? asLong(sequence) : 0,
				(invalidations != null) ? asLong(invalidations) : 0);
	}

	/**
	 * Publishes a message on the channel of announced invalidations (a subscriber's liveness probe).
	 */
	public void publish(byte[] message) {
		execute((connection) -> connection.commands().publish(this.channel, message));
	}

	/**
	 * Subscribes to the invalidations every instance announces (see {@code announce()} in {@code stamps.lua}),
	 * on a connection of its own. Messages reach the listener on a client thread, in the order Redis published
	 * them; the client resubscribes by itself after a reconnect, and messages published meanwhile are lost.
	 * @return the subscription's connection; closing it unsubscribes
	 */
	public RedisConnection subscribe(java.util.function.Consumer<byte[]> listener) {
		RedisConnection connection = this.connectionFactory.getConnection();
		try {
			connection.subscribe((message, pattern) -> listener.accept(message.getBody()), this.channel);
			return connection;
		}
		catch (RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	private <T> T execute(Function<RedisConnection, @Nullable T> action) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			return action.apply(connection);
		}
	}

	private static String globEscaped(String literal) {
		return literal.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
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

	/**
	 * The connection reaches a replica (a primary demoted by a failover): its data may lag the primary, so it
	 * is not read; the shared connection is reset so that the next call resolves the primary again (Sentinel).
	 */
	private RuntimeException notPrimary() {
		if (this.connectionFactory instanceof LettuceConnectionFactory lettuce) {
			lettuce.resetConnection();
		}
		return new NotPrimaryException("The Redis server the cache reached is a replica now (a failover);"
				+ " reconnecting to the primary");
	}

	/**
	 * The server answered as a replica.
	 */
	public static class NotPrimaryException extends DataAccessResourceFailureException {

		NotPrimaryException(String message) {
			super(message);
		}

	}

	private static String asString(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.US_ASCII) : String.valueOf(value);
	}

	private static long asLong(Object value) {
		if (value instanceof Long number) {
			return number;
		}
		return Long.parseLong(new String((byte[]) value, StandardCharsets.US_ASCII));
	}

	/**
	 * The background drain of one purge in one shard: the tag index renamed to {@code shard.drainKey(token)}, or
	 * for the cache-wide tag a sweep of the shard's keys.
	 */
	record Drain(Namespace shard, String token, String tag) {

		/** As recorded in the registry: token and the namespace's length, tab-separated, then namespace and tag. */
		String member() {
			return this.token + "\t" + this.shard.value().length() + "\t" + this.shard.value() + this.tag;
		}

		static @Nullable Drain parse(String member) {
			String[] parts = member.split("\t", 3);
			if (parts.length < 3) {
				return null;
			}
			try {
				int length = Integer.parseInt(parts[1]);
				if (length > parts[2].length()) {
					return null;
				}
				return new Drain(new Namespace(parts[2].substring(0, length)), parts[0], parts[2].substring(length));
			}
			catch (NumberFormatException ex) {
				return null;
			}
		}

	}

}
