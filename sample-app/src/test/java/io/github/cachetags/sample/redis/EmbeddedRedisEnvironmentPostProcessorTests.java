package io.github.cachetags.sample.redis;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis location configured in any form keeps the sample from starting its own server.
 */
class EmbeddedRedisEnvironmentPostProcessorTests {

	private final EmbeddedRedisEnvironmentPostProcessor postProcessor = new EmbeddedRedisEnvironmentPostProcessor(
			(destination) -> destination.get());

	@Test
	void configuredHostLeavesTheEnvironmentAlone() {
		StandardEnvironment environment = environment(Map.of("spring.data.redis.host", "cache.internal"));

		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());

		assertLeftAlone(environment, "cache.internal");
	}

	@Test
	void indexedClusterNodesCountAsAConfiguredLocation() {
		StandardEnvironment environment = environment(Map.of("spring.data.redis.cluster.nodes[0]", "node-1:6379",
				"spring.data.redis.cluster.nodes[1]", "node-2:6379"));

		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());

		assertLeftAlone(environment, null);
	}

	@Test
	void urlFromAnEnvironmentVariableCountsAsAConfiguredLocation() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource("env",
					Map.of("SPRING_DATA_REDIS_URL", "redis://user:secret@cache.internal:6380")));

		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());

		assertLeftAlone(environment, null);
	}

	private static StandardEnvironment environment(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		return environment;
	}

	private static void assertLeftAlone(StandardEnvironment environment, String expectedHost) {
		assertThat(environment.getPropertySources().contains(EmbeddedRedisEnvironmentPostProcessor.PROPERTY_SOURCE_NAME))
			.isFalse();
		assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo(expectedHost);
	}

}
