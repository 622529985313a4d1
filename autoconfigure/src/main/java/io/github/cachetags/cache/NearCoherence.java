package io.github.cachetags.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.cachetags.store.Namespace;
import io.github.cachetags.store.RedisTagStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;

/**
 * Keeps the near caches of one cache manager coherent with Redis and with other instances.
 * <p>
 * Every invalidation (tag purge, clear, eviction, replacing write, a refresh that overwrites an entry) is announced
 * by the script that makes it, in the same call, on one channel per key prefix, numbered in its shard's sequence.
 * This instance subscribes and applies each message to its near entries: by key, by tag or by shard, in O(1). It
 * notices lost messages in three ways: a gap in a shard's sequence drops that shard's near entries; every
 * {@code checkInterval} it compares each followed shard's sequence in Redis with the messages it got (a message
 * announced before the previous check that has not arrived is lost); and it publishes a probe on the channel that
 * must come back before the next check, or the subscription is not trusted: every near entry is dropped and none
 * is kept until a probe comes back. So another instance's invalidation reaches this near cache within two check
 * intervals even when its message is lost. Invalidations this instance makes are applied to its own near caches
 * before they return (see {@link #purged} and {@link #evicted}).
 */
public final class NearCoherence implements Invalidations.Local, AutoCloseable {

	private static final Log logger = LogFactory.getLog(NearCoherence.class);

	private final RedisTagStore store;

	private final Duration checkInterval;

	private final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());

	private final ConcurrentMap<String, NearShard> shards = new ConcurrentHashMap<>();

	private final ConcurrentMap<NearCache, Boolean> caches = new ConcurrentHashMap<>();

	private final AtomicLong probesSent = new AtomicLong();

	private final AtomicLong probesReceived = new AtomicLong();

	private final ScheduledExecutorService checks;

	private volatile boolean trusted;

	/** Until when reads do not try to learn a shard's place in the sequence, after Redis did not answer. */
	private volatile long trackingFailedUntilNanos = System.nanoTime();

	/** Until when the last probe that came back vouches for the subscription. */
	private volatile long trustedUntilNanos;

	private volatile @Nullable RedisConnection subscription;

	private volatile boolean closed;

	/**
	 * @param store the Redis protocol
	 * @param maxStaleness the smallest max staleness of the near caches: checks run three times per period, so two
	 * checks (the bound on noticing a lost message) fit in it with room for a slow check
	 */
	public NearCoherence(RedisTagStore store, Duration maxStaleness) {
		this.store = store;
		this.checkInterval = Duration.ofNanos(Math.max(1, maxStaleness.toNanos() / 3));
		this.checks = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "cachetags-near-check");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Subscribes and starts the periodic checks.
	 */
	public NearCoherence start() {
		this.checks.scheduleWithFixedDelay(this::checkQuietly, 0, this.checkInterval.toNanos(), TimeUnit.NANOSECONDS);
		return this;
	}

	/** How often shards and the subscription are checked. */
	public Duration checkInterval() {
		return this.checkInterval;
	}

	/** How many cache shards this instance follows: those whose near entries may still be alive. */
	public int followedShards() {
		return this.shards.size();
	}

	/**
	 * Whether the subscription is known to deliver: a probe came back within the last two and a half check
	 * intervals. Near caches are used only then; when probes stop coming back (a dead subscription, or a check
	 * stuck on a Redis that does not answer), trust lapses on its own within that time.
	 */
	public boolean trusted() {
		return this.trusted && System.nanoTime() - this.trustedUntilNanos < 0;
	}

	NearShard shard(Namespace namespace, String cacheName, String tenant, NearCache cache) {
		NearShard shard = this.shards.get(namespace.value());
		if (shard != null) {
			return shard;
		}
		this.caches.put(cache, Boolean.TRUE);
		return this.shards.computeIfAbsent(namespace.value(), (key) -> new NearShard(namespace, cacheName, tenant,
				cache));
	}

	/**
	 * Makes sure the shard's place in the sequence is known, reading it from Redis the first time.
	 * @return whether it is
	 */
	boolean track(NearShard shard) {
		if (shard.tracked()) {
			return true;
		}
		if (System.nanoTime() - this.trackingFailedUntilNanos < 0) {
			// Redis did not answer a moment ago: a read does not pay a second timeout for a near cache
			return false;
		}
		try {
			RedisTagStore.Sequence current = this.store.sequence(shard.namespace);
			shard.track(current.epoch(), current.sequence(), current.invalidations());
			return true;
		}
		catch (RuntimeException ex) {
			this.trackingFailedUntilNanos = System.nanoTime() + this.checkInterval.toNanos();
			logger.debug("Could not read a shard's invalidation sequence; its values are not kept near: " + ex);
			return false;
		}
	}

	@Override
	public void purged(@Nullable String cacheName, String tag, String tenant) {
		for (NearShard shard : this.shards.values()) {
			if (shard.tenant.equals(tenant) && (cacheName == null || cacheName.equals(shard.cacheName))) {
				shard.invalidateTag(tag);
			}
		}
	}

	@Override
	public void evicted(Namespace namespace, String userKey) {
		NearShard shard = this.shards.get(namespace.value());
		if (shard != null) {
			shard.invalidateKey(userKey);
		}
	}

	/**
	 * Applies one message of the channel.
	 */
	void onMessage(byte[] body) {
		try {
			if (body.length > 1 && body[0] == 'h' && body[1] == '\n') {
				onProbe(new String(body, StandardCharsets.UTF_8));
				return;
			}
			// the header is ASCII; the namespace's length is in bytes, as Lua counts it
			int kindEnd = indexOf(body, 0);
			int epochEnd = indexOf(body, kindEnd + 1);
			int sequenceEnd = indexOf(body, epochEnd + 1);
			int lengthEnd = indexOf(body, sequenceEnd + 1);
			String kind = ascii(body, 0, kindEnd);
			String epoch = ascii(body, kindEnd + 1, epochEnd);
			long sequence = Long.parseLong(ascii(body, epochEnd + 1, sequenceEnd));
			int namespaceLength = Integer.parseInt(ascii(body, sequenceEnd + 1, lengthEnd));
			String namespace = new String(body, lengthEnd + 1, namespaceLength, StandardCharsets.UTF_8);
			int argumentStart = lengthEnd + 1 + namespaceLength;
			String argument = new String(body, argumentStart, body.length - argumentStart, StandardCharsets.UTF_8);
			NearShard shard = this.shards.get(namespace);
			if (shard == null) {
				return;
			}
			boolean gap = shard.follow(epoch, sequence);
			if (kind.equals("K")) {
				shard.invalidateKey(argument);
			}
			else {
				shard.invalidateTag(argument);
			}
			shard.cache.counted(gap);
		}
		catch (RuntimeException ex) {
			// a message this version cannot read: it may have been an invalidation
			logger.warn("Unreadable near-cache invalidation; every near entry is dropped: " + ex);
			distrust();
		}
	}

	private static int indexOf(byte[] body, int from) {
		for (int i = from; i < body.length; i++) {
			if (body[i] == '\n') {
				return i;
			}
		}
		throw new IllegalArgumentException("A near-cache message without its header");
	}

	private static String ascii(byte[] body, int from, int to) {
		return new String(body, from, to - from, StandardCharsets.US_ASCII);
	}

	private synchronized void onProbe(String text) {
		String[] parts = text.split("\n", 3);
		if (parts.length == 3 && parts[1].equals(this.instance)) {
			long number = Long.parseLong(parts[2]);
			this.probesReceived.accumulateAndGet(number, Math::max);
			if (number != this.probesSent.get()) {
				return;
			}
			if (!trusted()) {
				// whatever was filed before trust lapsed may have missed messages meanwhile
				distrust();
				logger.info("Near caches are in use: invalidations from Redis arrive");
			}
			this.trustedUntilNanos = System.nanoTime() + this.checkInterval.toNanos() * 5 / 2;
			this.trusted = true;
		}
	}

	private void checkQuietly() {
		try {
			check();
		}
		catch (RuntimeException ex) {
			if (this.trusted) {
				logger.warn("Near caches are not used until the invalidations channel is checked again: " + ex);
			}
			distrust();
		}
	}

	/**
	 * One periodic check: the subscription delivers (the previous probe came back), no message announced before the
	 * previous check is missing, and a new probe is sent.
	 */
	void check() {
		letIdleShardsGo();
		boolean probeMissed = this.subscription != null && this.probesReceived.get() < this.probesSent.get();
		if (probeMissed && this.trusted) {
			logger.warn("Near-cache invalidations stopped arriving; near caches are not used until they do");
		}
		if (this.subscription == null || !this.subscription.isSubscribed() || probeMissed) {
			// a subscription that stopped delivering may still say it is subscribed (a half-open connection): make
			// a new one
			distrust();
			closeSubscription();
			this.subscription = this.store.subscribe(this::onMessage);
			if (this.closed) {
				// closed while subscribing: do not leave the connection open
				closeSubscription();
				return;
			}
		}
		// the probe first, so that probes go out every interval however long the shards take to check
		long probe = this.probesSent.incrementAndGet();
		this.store.publish(("h\n" + this.instance + "\n" + probe).getBytes(StandardCharsets.UTF_8));
		if (trusted()) {
			for (NearShard shard : this.shards.values()) {
				if (shard.tracked()) {
					long followed = shard.followed();
					if (shard.check(followed, this.store.sequence(shard.namespace))) {
						shard.cache.gap();
					}
				}
			}
		}
	}

	/**
	 * Lets go of the shards no near entry of which is held (or can still be alive): they cost no check and no
	 * memory, whether or not the subscription works.
	 */
	private void letIdleShardsGo() {
		long now = System.nanoTime();
		long quiet = this.checkInterval.toNanos();
		for (NearShard shard : this.shards.values()) {
			if (shard.idleSince(now, quiet, shard.cache.longestLife().toNanos())) {
				shard.release();
				this.shards.remove(shard.namespace.value(), shard);
			}
		}
	}

	/** Drops every near entry, forgets every shard's place in the sequence, and keeps nothing until trusted. */
	private void distrust() {
		this.trusted = false;
		for (NearShard shard : this.shards.values()) {
			shard.reset();
		}
		for (NearCache cache : this.caches.keySet()) {
			cache.removeAll();
		}
	}

	private void closeSubscription() {
		RedisConnection connection = this.subscription;
		this.subscription = null;
		if (connection != null) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing the invalidations subscription failed: " + ex);
			}
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.checks.shutdownNow();
		closeSubscription();
	}

}
