package io.github.cachetags.sample.redis;

import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points the sample at a Redis before the connection factory is created: when no property says where Redis is
 * ({@code spring.data.redis.host}, {@code port}, {@code url}, {@code cluster.nodes}, {@code sentinel.*} or
 * {@code masterreplica.nodes}), it starts a {@link RedisServerProcess} and sets {@code spring.data.redis.host} and
 * {@code port} to it; otherwise it leaves the configuration alone. Either way it logs which Redis the sample uses.
 * The server is stopped when the application context closes, or when start-up fails.
 * <p>
 * Runs after the config data processor, so that {@code application.yml}, profiles and environment variables are
 * taken into account.
 */
public class EmbeddedRedisEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String PROPERTY_SOURCE_NAME = "sampleEmbeddedRedis";

	private static final List<String> LOCATION_PROPERTIES = List.of("spring.data.redis.url",
			"spring.data.redis.host", "spring.data.redis.port", "spring.data.redis.cluster.nodes",
			"spring.data.redis.sentinel.master", "spring.data.redis.sentinel.nodes",
			"spring.data.redis.masterreplica.nodes");

	private final Log logger;

	public EmbeddedRedisEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(EmbeddedRedisEnvironmentPostProcessor.class);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			return;
		}
		Binder binder = Binder.get(environment);
		String configured = configuredLocation(binder);
		if (configured != null) {
			this.logger.info("Using the Redis configured by " + configured);
			return;
		}
		// a fixed port lets other instances of the sample share this server (sample.redis.port)
		RedisServerProcess server = RedisServerProcess.start(binder.bind("sample.redis.port", Integer.class).orElse(0));
		environment.getPropertySources()
			.addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME,
					Map.of("spring.data.redis.host", server.host(), "spring.data.redis.port", server.port())));
		application.addListeners(new StopServer(server));
		this.logger.info("No spring.data.redis.* location is set: started redis-server " + server.binary()
				+ " on " + server.host() + ":" + server.port() + " for this run (set spring.data.redis.host and"
				+ " spring.data.redis.port, or spring.data.redis.url, to use another Redis)");
	}

	private static @Nullable String configuredLocation(Binder binder) {
		for (String name : LOCATION_PROPERTIES) {
			// As a list, so that indexed cluster and sentinel nodes count as well as single values
			List<String> value = binder.bind(name, Bindable.listOf(String.class)).orElse(List.of());
			if (!value.isEmpty()) {
				return name + "=" + describe(name, String.join(",", value));
			}
		}
		return null;
	}

	private static String describe(String name, String value) {
		// A URL may carry a password: show only what follows the '@'
		if (name.endsWith(".url") && value.contains("@")) {
			int scheme = value.indexOf("://");
			return ((scheme >= 0) ? value.substring(0, scheme + 3) : "") + "***@"
					+ value.substring(value.lastIndexOf('@') + 1);
		}
		return value;
	}

	/**
	 * Stops the server once the context has destroyed its beans (registered first, it is destroyed last, after the
	 * Redis connection factory), or when start-up fails.
	 */
	static final class StopServer implements ApplicationListener<ApplicationEvent> {

		private final RedisServerProcess server;

		StopServer(RedisServerProcess server) {
			this.server = server;
		}

		@Override
		public void onApplicationEvent(ApplicationEvent event) {
			if (event instanceof ApplicationPreparedEvent prepared
					&& prepared.getApplicationContext().getBeanFactory() instanceof DefaultSingletonBeanRegistry beans) {
				beans.registerDisposableBean("sampleEmbeddedRedisServer", this.server::close);
			}
			else if (event instanceof ApplicationFailedEvent) {
				this.server.close();
			}
		}

	}

}
