package io.github.cachetags.test;

import java.util.concurrent.atomic.AtomicInteger;

import io.github.cachetags.autoconfigure.CacheTagsAutoConfiguration;
import io.github.cachetags.autoconfigure.CacheTagsClusterAutoConfiguration;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Application contexts wired like a Spring Boot application using the starter, against a real Redis.
 */
public final class CacheTagsContexts {

	/** Package of the cached types of the behaviour tests. */
	public static final String APPLICATION_PACKAGE = "io.github.cachetags.it";

	private static final AtomicInteger prefixes = new AtomicInteger();

	private CacheTagsContexts() {
	}

	/**
	 * A context runner on the shared Redis with a key prefix no other test uses. Like a
	 * {@code @SpringBootApplication}, it registers the package of the tests' cached types as the application's,
	 * so the JSON format may read them.
	 */
	public static ApplicationContextRunner onRedis(RedisServer server) {
		return on(server.springProperties());
	}

	/**
	 * A context runner as {@link #onRedis} gives, on the shared Redis Cluster (or another one).
	 */
	public static ApplicationContextRunner onCluster(RedisCluster cluster) {
		return on(cluster.springProperties());
	}

	private static ApplicationContextRunner on(String... redisProperties) {
		return new ApplicationContextRunner()
			.withInitializer((context) -> AutoConfigurationPackages.register((BeanDefinitionRegistry) context,
					APPLICATION_PACKAGE))
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, CacheAutoConfiguration.class,
					CacheTagsAutoConfiguration.class, CacheTagsClusterAutoConfiguration.class))
			.withPropertyValues(redisProperties)
			.withPropertyValues("cachetags.key-prefix=" + uniquePrefix());
	}

	public static String uniquePrefix() {
		return "t" + ProcessHandle.current().pid() + "-" + prefixes.incrementAndGet();
	}

}
