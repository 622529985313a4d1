package io.github.cachetags.store;

import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.StreamSupport;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;

/**
 * Reads {@code INFO} from each Redis server behind a connection factory: every master of a Redis Cluster, or the
 * one server of any other setup (standalone, Sentinel's current master, static master/replica).
 * <p>
 * On a cluster, Spring Data Redis's {@code info()} asks every node and merges the answers into one set of
 * properties whose keys are prefixed by the node ({@code 127.0.0.1:7001.maxmemory_policy}), which nothing that
 * expects one server's {@code INFO} can read. This class asks each master on its own instead, in the order of
 * their addresses. Masters come from the client's view of the cluster topology; a master the cluster marks as
 * failing is reported without being asked.
 */
public class RedisNodes {

	private final RedisConnectionFactory connectionFactory;

	public RedisNodes(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Reads one {@code INFO} section, or the default sections when {@code section} is {@code null}, from each
	 * server. A cluster master that does not answer is reported in the result, with its error.
	 * @throws RuntimeException when no server can be asked: the server of a non-cluster setup does not answer, or
	 * the cluster's masters cannot be listed
	 */
	public Readings info(@Nullable String section) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			if (connection instanceof RedisClusterConnection cluster) {
				return readMasters(cluster, section);
			}
			Properties info = (section != null) ? connection.serverCommands().info(section)
					: connection.serverCommands().info();
			return new Readings(false, List.of(new Reading(null, (info != null) ? info : new Properties(), null)));
		}
	}

	private Readings readMasters(RedisClusterConnection cluster, @Nullable String section) {
		List<RedisClusterNode> masters = StreamSupport.stream(cluster.clusterGetNodes().spliterator(), false)
			.filter(RedisNode::isMaster)
			.sorted(Comparator.comparing(RedisNode::getHost, Comparator.nullsFirst(Comparator.naturalOrder()))
				.thenComparing(RedisNode::getPort, Comparator.nullsFirst(Comparator.naturalOrder())))
			.toList();
		if (masters.isEmpty()) {
			throw new IllegalStateException("The Redis Cluster topology lists no master");
		}
		return new Readings(true, masters.stream().map((master) -> read(cluster, master, section)).toList());
	}

	private Reading read(RedisClusterConnection cluster, RedisClusterNode master, @Nullable String section) {
		String name = master.asString();
		if (master.isMarkedAsFail()) {
			return new Reading(name, null, "marked as failing by the cluster");
		}
		try {
			Properties info = (section != null) ? cluster.serverCommands().info(master, section)
					: cluster.serverCommands().info(master);
			return new Reading(name, (info != null) ? info : new Properties(), null);
		}
		catch (RuntimeException ex) {
			return new Reading(name, null, ex.toString());
		}
	}

	/**
	 * What each server answered.
	 *
	 * @param cluster whether the servers are the masters of a Redis Cluster
	 * @param nodes one reading per server; one alone when not a cluster
	 */
	public record Readings(boolean cluster, List<Reading> nodes) {

		/** The readings of the servers that answered. */
		public List<Reading> answered() {
			return this.nodes.stream().filter(Reading::answered).toList();
		}

		/** The readings of the servers that did not answer. */
		public List<Reading> unanswered() {
			return this.nodes.stream().filter((reading) -> !reading.answered()).toList();
		}

	}

	/**
	 * One server's answer.
	 *
	 * @param node {@code host:port} of a cluster master; {@code null} for the one server of a non-cluster setup
	 * @param info the {@code INFO} properties, {@code null} when the server did not answer
	 * @param error why the server did not answer, {@code null} when it did
	 */
	public record Reading(@Nullable String node, @Nullable Properties info, @Nullable String error) {

		public boolean answered() {
			return this.info != null;
		}

		/** The {@code INFO} properties; empty when the server did not answer. */
		public Properties properties() {
			return (this.info != null) ? this.info : new Properties();
		}

	}

}
