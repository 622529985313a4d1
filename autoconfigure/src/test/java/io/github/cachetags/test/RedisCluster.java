package io.github.cachetags.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster for tests: three masters (no replicas), each a {@code redis-server} process on a free
 * loopback port with its own directory, found as {@link RedisServer} finds its binary. No Docker and no
 * {@code redis-cli}: the slots are assigned and the nodes introduced with {@code CLUSTER ADDSLOTS},
 * {@code CLUSTER SET-CONFIG-EPOCH} and {@code CLUSTER MEET} (Redis 6.2 has no {@code ADDSLOTSRANGE}).
 * <p>
 * {@link #shared()} is started once per JVM, lazily, and stopped by a shutdown hook. A test may {@link Node#stop()}
 * and {@link Node#start()} one node; a restarted node reads its {@code nodes.conf} and rejoins with its slots (but
 * empty: nothing is persisted). Tests that do must leave the cluster healthy ({@link #awaitHealthy()}).
 */
public final class RedisCluster implements AutoCloseable {

	/** Hash slots of a Redis Cluster. */
	public static final int SLOTS = 16384;

	/** Slots per {@code CLUSTER ADDSLOTS} call. */
	private static final int SLOT_BATCH = 1024;

	/**
	 * How long a node may not answer before the others mark it failed. Short, so a node stopped by a fault test is
	 * noticed (and its return accepted) within seconds; long enough that a busy machine never trips it.
	 */
	static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);

	/** Bound of every wait on the cluster's state. */
	static final Duration STATE_TIMEOUT = Duration.ofSeconds(60);

	private static final Log logger = LogFactory.getLog(RedisCluster.class);

	private static RedisCluster shared;

	private final List<Node> nodes;

	private final RedisClient client = RedisClient.create();

	private RedisCluster(List<Node> nodes) {
		this.nodes = nodes;
	}

	/**
	 * The cluster shared by every test of this JVM, started on first use.
	 */
	public static synchronized RedisCluster shared() {
		if (shared == null) {
			long started = System.nanoTime();
			shared = start(3);
			RedisCluster cluster = shared;
			Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
			String message = String.format("Redis Cluster for tests: 3 masters at %s, ready in %d ms",
					cluster.nodeAddresses(), Duration.ofNanos(System.nanoTime() - started).toMillis());
			logger.info(message);
			System.out.println("[cachetags-test] " + message);
		}
		return shared;
	}

	/**
	 * Starts a cluster of {@code masters} nodes and waits until every node reports it healthy.
	 */
	public static RedisCluster start(int masters) {
		Path binary = RedisServer.binary();
		List<Integer> ports = freePorts(masters);
		List<Node> nodes = new ArrayList<>();
		RedisCluster cluster = new RedisCluster(nodes);
		try {
			for (int port : ports) {
				nodes.add(cluster.new Node(binary, port));
			}
			nodes.forEach(Node::launch);
			for (Node node : nodes) {
				node.awaitListening();
			}
			cluster.form();
			cluster.awaitHealthy();
			return cluster;
		}
		catch (RuntimeException | Error ex) {
			cluster.close();
			throw ex;
		}
	}

	private void form() {
		int count = this.nodes.size();
		for (int i = 0; i < count; i++) {
			Node node = this.nodes.get(i);
			RedisCommands<String, String> commands = node.commands();
			// distinct epochs, as redis-cli gives them, so no collision has to be resolved while forming
			commands.clusterSetConfigEpoch(i + 1);
			int from = i * SLOTS / count;
			int to = (i + 1) * SLOTS / count;
			for (int batch = from; batch < to; batch += SLOT_BATCH) {
				commands.clusterAddSlots(IntStream.range(batch, Math.min(batch + SLOT_BATCH, to)).toArray());
			}
		}
		RedisCommands<String, String> first = this.nodes.get(0).commands();
		for (Node node : this.nodes.subList(1, count)) {
			first.clusterMeet("127.0.0.1", node.port());
		}
	}

	/**
	 * Waits until every running node reports {@code cluster_state:ok}, all slots served, and knows every node as
	 * a master that is not failing.
	 */
	public void awaitHealthy() {
		await("Redis Cluster healthy on every node").atMost(STATE_TIMEOUT)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptions()
			.until(this::healthy);
	}

	private boolean healthy() {
		for (Node node : this.nodes) {
			if (!node.running()) {
				return false;
			}
			RedisCommands<String, String> commands = node.commands();
			String info = commands.clusterInfo();
			if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:" + SLOTS)
					|| !info.contains("cluster_known_nodes:" + this.nodes.size())) {
				return false;
			}
			long healthyMasters = commands.clusterNodes()
				.lines()
				.map((line) -> line.split(" ")[2])
				.filter((flags) -> flags.contains("master") && !flags.contains("fail") && !flags.contains("handshake")
						&& !flags.contains("noaddr"))
				.count();
			if (healthyMasters != this.nodes.size()) {
				return false;
			}
		}
		return true;
	}

	public List<Node> nodes() {
		return List.copyOf(this.nodes);
	}

	/**
	 * The master serving a key's slot (by the assignment this harness made).
	 */
	public Node nodeServing(String key) {
		return this.nodes.get(ownerIndex(SlotHash.getSlot(key)));
	}

	private int ownerIndex(int slot) {
		int count = this.nodes.size();
		for (int i = 0; i < count; i++) {
			if (slot < (i + 1) * SLOTS / count) {
				return i;
			}
		}
		return count - 1;
	}

	/**
	 * The master serving a slot now, as the cluster reports it (unlike {@link #nodeServing}, this follows
	 * migrations, see {@link SlotMigration}).
	 */
	public Node owner(int slot) {
		RedisClusterNode owner = ClusterPartitionParser.parse(this.nodes.get(0).commands().clusterNodes())
			.getPartitionBySlot(slot);
		return this.nodes.stream()
			.filter((node) -> owner != null && owner.getUri().getPort() == node.port())
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No master serves slot " + slot));
	}

	/** {@code host:port} of every node, comma-separated. */
	public String nodeAddresses() {
		return String.join(",", this.nodes.stream().map(Node::address).toList());
	}

	/** Properties pointing Spring Boot at this cluster. */
	public String[] springProperties() {
		return new String[] { "spring.data.redis.cluster.nodes=" + nodeAddresses() };
	}

	@Override
	public synchronized void close() {
		for (Node node : this.nodes) {
			node.stop();
		}
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		for (Node node : this.nodes) {
			node.deleteDirectory();
		}
	}

	private static List<Integer> freePorts(int count) {
		List<Integer> ports = new ArrayList<>();
		List<ServerSocket> held = new ArrayList<>();
		try {
			// a node also listens on port + 10000 for the cluster bus: both must be free
			for (int attempt = 0; ports.size() < count && attempt < 200; attempt++) {
				ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				held.add(socket);
				int port = socket.getLocalPort();
				if (port + 10000 <= 65535 && free(port + 10000)) {
					ports.add(port);
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			for (ServerSocket socket : held) {
				try {
					socket.close();
				}
				catch (IOException ex) {
					// released anyway
				}
			}
		}
		if (ports.size() < count) {
			throw new IllegalStateException("Found no " + count + " free port pairs (port, port + 10000)");
		}
		return ports;
	}

	private static boolean free(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * One master of the cluster: a {@code redis-server} process and a plain Lettuce connection to it.
	 */
	public final class Node {

		private final int port;

		private final Path directory;

		private final List<String> command;

		private Process process;

		private StatefulRedisConnection<String, String> connection;

		Node(Path binary, int port) {
			this.port = port;
			try {
				this.directory = Files.createTempDirectory("redis-cluster-" + port + "-");
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			this.command = List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--cluster-enabled", "yes", "--cluster-config-file",
					this.directory.resolve("nodes-" + port + ".conf").toString(), "--cluster-node-timeout",
					Long.toString(NODE_TIMEOUT.toMillis()), "--dir", this.directory.toString(), "--save", "",
					"--appendonly", "no", "--protected-mode", "no", "--maxmemory-policy", "allkeys-lru",
					// the other masters keep serving their slots while one is down, as a production cluster
					// without replicas for every master should be configured; otherwise the whole cluster refuses
					// every command once the failure is detected
					"--cluster-require-full-coverage", "no");
		}

		public String host() {
			return "127.0.0.1";
		}

		public int port() {
			return this.port;
		}

		/** The node's ID in the cluster ({@code CLUSTER MYID}). */
		public String id() {
			return commands().clusterMyId();
		}

		/** {@code 127.0.0.1:<port>}, as the cluster names the node. */
		public String address() {
			return "127.0.0.1:" + this.port;
		}

		/**
		 * Commands on this node alone (no redirection), over a connection kept for the harness.
		 */
		public synchronized RedisCommands<String, String> commands() {
			if (this.connection == null || !this.connection.isOpen()) {
				this.connection = RedisCluster.this.client.connect(RedisURI.create("127.0.0.1", this.port));
			}
			return this.connection.sync();
		}

		/**
		 * Stops the process (SIGTERM; nothing is saved). The other nodes mark it failed after the node timeout.
		 */
		public synchronized void stop() {
			if (this.connection != null) {
				this.connection.close();
				this.connection = null;
			}
			if (this.process != null) {
				this.process.destroy();
				try {
					this.process.waitFor();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				this.process = null;
			}
		}

		/**
		 * Starts the process again on the same port with its {@code nodes.conf}; it rejoins with its slots. Use
		 * {@link RedisCluster#awaitHealthy()} to wait until every node accepts it again.
		 */
		public void start() {
			launch();
			awaitListening();
		}

		synchronized boolean running() {
			return this.process != null && this.process.isAlive();
		}

		synchronized void launch() {
			try {
				this.process = new ProcessBuilder(this.command).redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("redis.log").toFile()))
					.start();
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot start " + this.command, ex);
			}
		}

		// not synchronized: Awaitility polls on another thread, which asks running()
		void awaitListening() {
			await("redis-server listening on " + this.port).atMost(STATE_TIMEOUT)
				.pollInterval(Duration.ofMillis(20))
				.until(() -> {
					if (!running()) {
						throw new IllegalStateException("redis-server on port " + this.port + " exited; see "
								+ this.directory.resolve("redis.log"));
					}
					try (Socket socket = new Socket()) {
						socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
						return true;
					}
					catch (IOException ex) {
						return false;
					}
				});
		}

		void deleteDirectory() {
			try (Stream<Path> files = Files.walk(this.directory)) {
				for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(file);
				}
			}
			catch (IOException ex) {
				// a temporary directory; left behind at worst
			}
		}

		@Override
		public String toString() {
			return address();
		}

	}

	@Override
	public String toString() {
		return "RedisCluster" + Arrays.toString(this.nodes.toArray());
	}

}
