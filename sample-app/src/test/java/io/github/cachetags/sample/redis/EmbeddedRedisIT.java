package io.github.cachetags.sample.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.github.cachetags.sample.SampleApplication;
import io.github.cachetags.sample.catalog.CatalogService;
import io.github.cachetags.sample.redis.EmbeddedRedisEnvironmentPostProcessor.StopServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Without a configured Redis location the sample starts a real {@code redis-server}, points
 * {@code spring.data.redis.*} at it, and stops it when start-up fails; with one, it uses that Redis.
 */
class EmbeddedRedisIT {

	@Test
	void startsARedisServerWhenOnlyTimeoutsAreSetAndStopsItWhenStartUpFails() throws IOException {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of("spring.data.redis.timeout", "1s")));
		SpringApplication application = new SpringApplication();

		new EmbeddedRedisEnvironmentPostProcessor((destination) -> destination.get())
			.postProcessEnvironment(environment, application);

		String host = environment.getRequiredProperty("spring.data.redis.host");
		int port = environment.getRequiredProperty("spring.data.redis.port", Integer.class);
		assertThat(host).isEqualTo("127.0.0.1");
		assertThat(ping(host, port)).isEqualTo("+PONG");

		failed(application);

		assertThatExceptionOfType(IOException.class).isThrownBy(() -> ping(host, port));
	}

	@Test
	void configuredRedisIsUsedAndNoServerIsStarted() throws IOException {
		try (RedisServerProcess own = RedisServerProcess.start();
				ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
					.run("--server.port=0", "--spring.data.redis.host=" + own.host(),
							"--spring.data.redis.port=" + own.port())) {

			context.getBean(CatalogService.class).product(1);

			assertThat(context.getEnvironment()
				.getPropertySources()
				.contains(EmbeddedRedisEnvironmentPostProcessor.PROPERTY_SOURCE_NAME)).isFalse();
			assertThat(command(own.host(), own.port(), "EXISTS {shop:_:products:0}:v1:e:1")).isEqualTo(":1");
		}
	}

	private static void failed(SpringApplication application) {
		ApplicationFailedEvent event = new ApplicationFailedEvent(application, new String[0], null,
				new IllegalStateException("start-up failed"));
		assertThat(application.getListeners()).filteredOn(StopServer.class::isInstance)
			.singleElement()
			.satisfies((listener) -> ((StopServer) listener).onApplicationEvent(event));
	}

	private static String ping(String host, int port) throws IOException {
		return command(host, port, "PING");
	}

	/** Sends one inline command and returns the first line of the reply. */
	private static String command(String host, int port, String command) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 1000);
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder reply = new StringBuilder();
			for (int b = in.read(); b != -1 && b != '\r'; b = in.read()) {
				reply.append((char) b);
			}
			return reply.toString();
		}
	}

}
