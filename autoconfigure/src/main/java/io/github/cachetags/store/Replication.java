package io.github.cachetags.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;

/**
 * Makes an invalidation wait until a replica has it ({@code WAIT 1 <timeout>}), when the server has replicas, so
 * that a failover cannot lose it silently. {@code WAIT} covers every write sent earlier on the connection. Whether
 * the server has replicas is read from {@code INFO replication} at most every {@link #RECHECK}. Not applied on a
 * cluster connection, where {@code WAIT} cannot be routed to the shard's node, nor on a client other than
 * Lettuce.
 */
final class Replication {

	/** How long a reading of the number of replicas is trusted. */
	static final Duration RECHECK = Duration.ofSeconds(5);

	/**
	 * How long a new primary (another replication ID than the one replicas were seen under) may go without a
	 * replica before invalidations stop waiting: after a failover the new primary has none until the old one
	 * follows it.
	 */
	static final Duration REMEMBER_REPLICAS = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(Replication.class);

	private final long waitMillis;

	private volatile long replicas = -1;

	private volatile long checkedAtNanos;

	private volatile long hadReplicasAtNanos = Long.MIN_VALUE;

	/** The replication ID under which replicas were last seen; while it lasts, waiting never stops by itself. */
	private volatile @Nullable String replicatedId;

	private volatile boolean unsupported;

	private volatile @Nullable String currentId;

	Replication(Duration wait) {
		this.waitMillis = wait.toMillis();
	}

	/**
	 * Waits for the writes sent so far on the connection to reach a replica.
	 * <p>
	 * A {@code WAIT} speaks for the writes of the connection it runs on. If the client reconnected in between
	 * (a failover closes clients), it may run on a new connection, even to a new primary, and pass for a write
	 * only the old primary got: so when it waited, the caller also reads back what it wrote ({@link #verify}).
	 * @return whether it waited (the server has, or lately had, replicas)
	 * @throws NotReplicatedException if the server has replicas and none acknowledged in time
	 */
	boolean await(RedisConnection connection) {
		if (this.waitMillis <= 0 || this.unsupported || connection instanceof RedisClusterConnection
				|| !(connection instanceof LettuceConnection lettuce) || !hasOrHadReplicas(connection)) {
			return false;
		}
		Object acknowledged;
		try {
			acknowledged = lettuce.execute("WAIT", new IntegerOutput<>(ByteArrayCodec.INSTANCE), ascii("1"),
					ascii(Long.toString(this.waitMillis)));
		}
		catch (InvalidDataAccessApiUsageException ex) {
			// the server (or a proxy in front of it) refuses WAIT: a setup to report, not an outage to retry forever
			this.unsupported = true;
			logger.warn("The Redis server refuses WAIT, so invalidations cannot wait for a replica; they are counted"
					+ " done once the primary has them (cachetags.replication-wait is ignored): " + ex);
			return false;
		}
		long count = (acknowledged instanceof Long number) ? number : 0;
		if (count < 1) {
			throw new NotReplicatedException("No replica acknowledged an invalidation within " + this.waitMillis
					+ " ms (cachetags.replication-wait); it is not known to survive a failover");
		}
		return true;
	}

	/**
	 * Checks, after {@link #await} waited, that the primary the connection reaches now holds what the
	 * invalidation wrote: otherwise it went to a primary that has since been replaced.
	 * @throws NotReplicatedException if it does not
	 */
	static void verify(boolean held) {
		if (!held) {
			throw new NotReplicatedException("The primary that acknowledged an invalidation does not hold it (the"
					+ " client reconnected, perhaps to a new primary); it is not known to survive a failover");
		}
	}

	/**
	 * Whether reads must check that they reach the primary: the server had replicas lately (so it may have been
	 * demoted by a failover), as far as invalidations have seen; never without replicas or with waiting off.
	 */
	boolean readsNeedPrimary() {
		return this.waitMillis > 0 && this.replicatedId != null;
	}

	/**
	 * Reads how many replicas the server has, if the last reading is older than {@link #RECHECK}: called on
	 * reads too, so that they learn of replicas before any invalidation.
	 */
	void refreshIfDue(RedisConnection connection) {
		if (this.waitMillis > 0 && !(connection instanceof RedisClusterConnection)
				&& (this.replicas < 0 || System.nanoTime() - this.checkedAtNanos > RECHECK.toNanos())) {
			hasOrHadReplicas(connection);
		}
	}

	private boolean hasOrHadReplicas(RedisConnection connection) {
		long now = System.nanoTime();
		if (this.replicas < 0 || now - this.checkedAtNanos > RECHECK.toNanos()) {
			Properties info = connection.serverCommands().info("replication");
			String connected = (info != null) ? info.getProperty("connected_slaves") : null;
			this.replicas = (connected != null) ? Long.parseLong(connected.trim()) : 0;
			this.checkedAtNanos = now;
			String id = (info != null) ? info.getProperty("master_replid") : null;
			if (this.replicas > 0) {
				this.hadReplicasAtNanos = now;
				this.replicatedId = id;
			}
			this.currentId = id;
		}
		if (this.replicas > 0) {
			return true;
		}
		if (this.replicatedId == null) {
			return false;
		}
		// the primary replicas were seen under lost them (cut off, perhaps about to be demoted): keep waiting; a new
		// primary is given a while for the old one to follow it
		return Objects.equals(this.replicatedId, this.currentId)
				|| now - this.hadReplicasAtNanos < REMEMBER_REPLICAS.toNanos();
	}

	private static byte[] ascii(String value) {
		return value.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * An invalidation reached the primary but no replica acknowledged it in time.
	 */
	public static class NotReplicatedException extends DataAccessResourceFailureException {

		NotReplicatedException(String message) {
			super(message);
		}

	}

}
