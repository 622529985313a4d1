package io.github.cachetags.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The Redis the benchmarks run against: {@code REDIS_URL} when set, otherwise a {@code redis-server} process on a
 * free loopback port, from {@code PATH} or the binary shipped in the embedded-redis jar. Forked JMH JVMs find it
 * through the system property {@value #PROPERTY}.
 */
final class BenchRedis implements AutoCloseable {

	static final String PROPERTY = "cachetags.bench.redis";

	private final String host;

	private final int port;

	private final String kind;

	private final @Nullable Process process;

	private BenchRedis(String host, int port, String kind, @Nullable Process process) {
		this.host = host;
		this.port = port;
		this.kind = kind;
		this.process = process;
	}

	/** The server named by {@value #PROPERTY} (set by {@link Main} for forked JVMs). */
	static BenchRedis fromProperty() {
		String value = System.getProperty(PROPERTY);
		if (value == null) {
			throw new IllegalStateException("System property " + PROPERTY + " (host:port) is not set; run "
					+ "benchmarks through io.github.cachetags.benchmarks.Main");
		}
		int colon = value.lastIndexOf(':');
		return new BenchRedis(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)), "given", null);
	}

	static BenchRedis start() {
		String url = System.getenv("REDIS_URL");
		if (url != null && !url.isBlank()) {
			URI uri = URI.create(url);
			return new BenchRedis(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 6379, "REDIS_URL", null);
		}
		Path binary = binary();
		int port = freePort();
		List<String> command = List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--protected-mode", "no");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			BenchRedis server = new BenchRedis("127.0.0.1", port, "redis-server process " + binary, process);
			server.awaitPort(Duration.ofSeconds(10));
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot start " + command, ex);
		}
	}

	String host() {
		return this.host;
	}

	int port() {
		return this.port;
	}

	String kind() {
		return this.kind;
	}

	String address() {
		return this.host + ":" + this.port;
	}

	@Override
	public void close() {
		if (this.process != null) {
			this.process.destroy();
			try {
				this.process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
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

	private static Path binary() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
			Path candidate = Path.of(dir, "redis-server");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		boolean arm = arch.contains("aarch64") || arch.contains("arm");
		String name;
		if (os.contains("mac")) {
			name = arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
		}
		else {
			name = arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
		}
		try (InputStream in = BenchRedis.class.getClassLoader().getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException(
						"No redis-server on PATH and none in the embedded-redis jar for " + os + "/" + arch
								+ "; set REDIS_URL");
			}
			Path file = Files.createTempFile("redis-server-", "");
			Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
			file.toFile().setExecutable(true);
			file.toFile().deleteOnExit();
			return file;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot extract " + name, ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
