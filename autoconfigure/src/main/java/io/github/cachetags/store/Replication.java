package io.github.cachetags.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;

import org.springframework.dao.DataAccessResourceFailureException;
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

	private final long waitMillis;

	private volatile long replicas = -1;

	private volatile long checkedAtNanos;

	Replication(Duration wait) {
		this.waitMillis = wait.toMillis();
	}

	/**
	 * Waits for the writes sent so far on the connection to reach a replica.
	 * @throws NotReplicatedException if the server has replicas and none acknowledged in time
	 */
	void await(RedisConnection connection) {
		if (this.waitMillis <= 0 || connection instanceof RedisClusterConnection
				|| !(connection instanceof LettuceConnection lettuce) || replicas(connection) == 0) {
			return;
		}
		Object acknowledged = lettuce.execute("WAIT", new IntegerOutput<>(ByteArrayCodec.INSTANCE), ascii("1"),
				ascii(Long.toString(this.waitMillis)));
		long count = (acknowledged instanceof Long number) ? number : 0;
		if (count < 1) {
			throw new NotReplicatedException("No replica acknowledged an invalidation within " + this.waitMillis
					+ " ms (cachetags.replication-wait); it is not known to survive a failover");
		}
	}

	private long replicas(RedisConnection connection) {
		long now = System.nanoTime();
		if (this.replicas < 0 || now - this.checkedAtNanos > RECHECK.toNanos()) {
			Properties info = connection.serverCommands().info("replication");
			String connected = (info != null) ? info.getProperty("connected_slaves") : null;
			this.replicas = (connected != null) ? Long.parseLong(connected.trim()) : 0;
			this.checkedAtNanos = now;
		}
		return this.replicas;
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
