package io.github.cachetags.sample.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} child process on a free loopback port: the binary on {@code PATH}, or else the one for this
 * platform from the embedded-redis jar, extracted to a temporary directory. It runs without persistence, with a
 * memory limit and the {@code volatile-lru} eviction policy that CacheTags recommends, and is stopped by
 * {@link #close()} or, at the latest, when the JVM exits.
 */
final class RedisServerProcess implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

	private final Process process;

	private final Path binary;

	private final int port;

	private final Thread shutdownHook;

	private RedisServerProcess(Process process, Path binary, int port) {
		this.process = process;
		this.binary = binary;
		this.port = port;
		this.shutdownHook = new Thread(this::stop, "sample-redis-server-stop");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
	}

	/**
	 * Starts a server on a free port and returns once it accepts connections.
	 * @throws IllegalStateException if no binary fits this platform or the server does not start
	 */
	static RedisServerProcess start() {
		return start(0);
	}

	/**
	 * Starts a server on the given port (0 for a free one) and returns once it accepts connections.
	 * @throws IllegalStateException if no binary fits this platform or the server does not start
	 */
	static RedisServerProcess start(int requestedPort) {
		Path workDir = createWorkDir();
		Path binary = binary(workDir);
		int port = (requestedPort > 0) ? requestedPort : freePort();
		Path log = workDir.resolve("redis-server.log");
		List<String> command = List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", workDir.toString(),
				"--maxmemory", "128mb", "--maxmemory-policy", "volatile-lru");
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + binary + " (" + ex.getMessage()
					+ "); install redis-server on PATH or set spring.data.redis.host and spring.data.redis.port", ex);
		}
		log.toFile().deleteOnExit();
		RedisServerProcess server = new RedisServerProcess(process, binary, port);
		try {
			server.awaitListening(log);
		}
		catch (RuntimeException ex) {
			server.close();
			throw ex;
		}
		return server;
	}

	String host() {
		return "127.0.0.1";
	}

	int port() {
		return this.port;
	}

	Path binary() {
		return this.binary;
	}

	@Override
	public void close() {
		stop();
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down; the hook runs stop() again, which is harmless
		}
	}

	private void stop() {
		if (!this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	private void awaitListening(Path log) {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("redis-server exited with status " + this.process.exitValue() + ": "
						+ read(log));
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(host(), this.port), 200);
				return;
			}
			catch (IOException ex) {
				pauseBeforeRetry();
			}
		}
		throw new IllegalStateException(
				"redis-server did not listen on port " + this.port + " within " + START_TIMEOUT + ": " + read(log));
	}

	private static void pauseBeforeRetry() {
		// Nothing signals that a child process has opened its port; poll it at a short interval until the deadline
		try {
			Thread.sleep(20);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for redis-server", ex);
		}
	}

	private static String read(Path log) {
		try {
			return Files.readString(log, StandardCharsets.UTF_8).strip();
		}
		catch (IOException ex) {
			return "(no output)";
		}
	}

	private static Path createWorkDir() {
		try {
			Path dir = Files.createTempDirectory("cachetags-sample-redis-");
			dir.toFile().deleteOnExit();
			return dir;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot create a directory for redis-server", ex);
		}
	}

	private static Path binary(Path workDir) {
		Path onPath = findOnPath();
		if (onPath != null) {
			return onPath;
		}
		String resource = bundledBinaryName();
		try (InputStream in = RedisServerProcess.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server on PATH and no " + resource
						+ " in the class path (the embedded-redis jar); install redis-server or set"
						+ " spring.data.redis.host and spring.data.redis.port");
			}
			Path file = workDir.resolve(resource);
			Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
			file.toFile().deleteOnExit();
			if (!file.toFile().setExecutable(true, true) || !Files.isExecutable(file)) {
				throw new IllegalStateException("Cannot make " + file + " executable (is " + workDir.getParent()
						+ " mounted noexec? set -Djava.io.tmpdir to another directory, install redis-server, or set"
						+ " spring.data.redis.host and spring.data.redis.port)");
			}
			return file;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot extract " + resource + " to " + workDir, ex);
		}
	}

	private static @Nullable Path findOnPath() {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String dir : path.split(File.pathSeparator)) {
			if (dir.isEmpty()) {
				continue;
			}
			Path candidate = Path.of(dir, "redis-server");
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	/**
	 * The binary the embedded-redis jar ships for this operating system and architecture.
	 */
	static String bundledBinaryName() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		boolean arm = arch.contains("aarch64") || arch.contains("arm");
		if (os.contains("mac")) {
			return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
		}
		if (os.contains("win")) {
			// The jar's Windows build is Redis 5, older than the 6.2 CacheTags needs
			throw new IllegalStateException("No bundled redis-server 6.2 or later for Windows; run Redis elsewhere"
					+ " (WSL, Docker) and set spring.data.redis.host and spring.data.redis.port");
		}
		if (arm) {
			return "redis-server-6.2.7-linux-arm64";
		}
		return (arch.equals("x86") || arch.equals("i386") || arch.equals("i686")) ? "redis-server-6.2.7-linux-386"
				: "redis-server-6.2.6-v5-linux-amd64";
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot find a free port for redis-server", ex);
		}
	}

}
