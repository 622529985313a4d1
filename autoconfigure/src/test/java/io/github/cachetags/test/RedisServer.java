package io.github.cachetags.test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * A real Redis for tests: {@code REDIS_URL} when set, a {@code redis:7} container when a Docker engine answers,
 * otherwise a {@code redis-server} process (on {@code PATH}, or the binary shipped in the embedded-redis jar) on a
 * free loopback port. {@link #shared()} is started once per JVM; {@link #startProcess()} gives a test its own
 * server that it may stop and restart.
 */
public final class RedisServer implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisServer.class);

	private static RedisServer shared;

	private static Path extracted;

	private final String host;

	private final int port;

	private final String kind;

	private Process process;

	private final List<String> command;

	private GenericContainer<?> container;

	private RedisServer(String host, int port, String kind, List<String> command) {
		this.host = host;
		this.port = port;
		this.kind = kind;
		this.command = command;
	}

	/**
	 * The Redis shared by every test of this JVM.
	 */
	public static synchronized RedisServer shared() {
		if (shared == null) {
			shared = create();
			logger.info("Tests use " + shared.kind + " at " + shared.host + ":" + shared.port);
			System.out.println("[cachetags-test] Redis for tests: " + shared.kind + " at " + shared.host + ":"
					+ shared.port);
			Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
		}
		return shared;
	}

	private static RedisServer create() {
		String url = System.getenv("REDIS_URL");
		if (url != null && !url.isBlank()) {
			URI uri = URI.create(url);
			return new RedisServer(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 6379, "REDIS_URL", List.of());
		}
		if (dockerAnswers()) {
			GenericContainer<?> container = new GenericContainer<>("redis:7").withExposedPorts(6379);
			container.start();
			RedisServer server = new RedisServer(container.getHost(), container.getMappedPort(6379),
					"Testcontainers redis:7", List.of());
			server.container = container;
			return server;
		}
		return startProcess();
	}

	private static boolean dockerAnswers() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

	/**
	 * Starts a dedicated {@code redis-server} process on a free loopback port, with further command-line
	 * arguments such as {@code "--maxmemory", "2mb"}.
	 */
	public static RedisServer startProcess(String... extraArguments) {
		Path binary = binary();
		int port = freePort();
		List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", workDirectory()));
		command.addAll(List.of(extraArguments));
		RedisServer server = new RedisServer("127.0.0.1", port, "redis-server process " + binary.getFileName(),
				command);
		server.start();
		return server;
	}

	/**
	 * Starts a Sentinel that monitors {@code primary} as {@code masterName} (quorum 1, down after 1 s), from the
	 * same binary with {@code --sentinel}.
	 */
	public static RedisServer startSentinel(String masterName, RedisServer primary) {
		Path binary = binary();
		int port = freePort();
		try {
			Path dir = Files.createTempDirectory("sentinel-");
			Path config = dir.resolve("sentinel.conf");
			Files.writeString(config, String.join("\n", "port " + port, "bind 127.0.0.1", "protected-mode no",
					"dir " + dir, "sentinel monitor " + masterName + " " + primary.host() + " " + primary.port() + " 1",
					"sentinel down-after-milliseconds " + masterName + " 1000",
					"sentinel failover-timeout " + masterName + " 10000", ""));
			dir.toFile().deleteOnExit();
			RedisServer sentinel = new RedisServer("127.0.0.1", port, "redis sentinel " + binary.getFileName(),
					List.of(binary.toString(), config.toString(), "--sentinel"));
			sentinel.start();
			return sentinel;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot write a Sentinel configuration", ex);
		}
	}

	/**
	 * Starts the process again on the same port after {@link #stop()}.
	 */
	public synchronized void start() {
		if (this.command.isEmpty()) {
			throw new IllegalStateException("Only a process server can be restarted");
		}
		try {
			this.process = new ProcessBuilder(this.command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot start " + this.command, ex);
		}
		awaitPort(Duration.ofSeconds(10));
	}

	/**
	 * Stops the process (only for servers from {@link #startProcess()}).
	 */
	public synchronized void stop() {
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
	 * Kills the process at once ({@code kill -9}): nothing is flushed, connections drop without a goodbye.
	 */
	public synchronized void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	/** Properties pointing Spring Boot at this server. */
	public String[] springProperties() {
		return new String[] { "spring.data.redis.host=" + this.host, "spring.data.redis.port=" + this.port };
	}

	@Override
	public void close() {
		stop();
		if (this.container != null) {
			this.container.stop();
		}
	}

	private void awaitPort(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(this.host, this.port), 200);
				return;
			}
			catch (IOException ex) {
				Thread.onSpinWait();
			}
			if (this.process != null && !this.process.isAlive()) {
				throw new IllegalStateException("redis-server exited with " + this.process.exitValue());
			}
		}
		throw new IllegalStateException("redis-server did not listen on port " + this.port + " within " + timeout);
	}

	/**
	 * The {@code redis-server} binary: from {@code PATH}, else extracted (once) from the embedded-redis jar.
	 */
	static synchronized Path binary() {
		if (extracted != null) {
			return extracted;
		}
		for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
			Path candidate = Path.of(dir, "redis-server");
			if (Files.isExecutable(candidate)) {
				extracted = candidate;
				return candidate;
			}
		}
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		boolean arm = arch.contains("aarch64") || arch.contains("arm");
		List<String> candidates = new ArrayList<>();
		if (os.contains("mac")) {
			candidates.add(arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64");
		}
		else {
			candidates.add(arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64");
		}
		for (String name : candidates) {
			try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(name)) {
				if (in != null) {
					Path file = Files.createTempFile("redis-server-", "");
					Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
					file.toFile().setExecutable(true);
					file.toFile().deleteOnExit();
					extracted = file;
					return file;
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot extract " + name, ex);
			}
		}
		throw new IllegalStateException("No redis-server on PATH and none in the embedded-redis jar for " + os + "/"
				+ arch + "; set REDIS_URL");
	}

	/** A directory of its own for the files a server writes (an RDB for a replica's full sync). */
	private static String workDirectory() {
		try {
			Path dir = Files.createTempDirectory("redis-");
			dir.toFile().deleteOnExit();
			return dir.toString();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot create a directory for redis-server", ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
