package io.github.cachetags.benchmarks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.cachetags.autoconfigure.CacheTagsAutoConfiguration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.data.redis.cache.BatchStrategies;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * One "application instance": a Spring context with {@code @EnableCaching}, a {@link ProductService} proxy and its
 * own Lettuce connection factory (same settings for every contender), backed either by CacheTags (its
 * auto-configuration, default JSON serializer) or by Spring Data Redis's {@code RedisCacheManager} (the same
 * {@link RedisSerializer#json()} serializer, a non-locking or locking writer with immediate writes and
 * {@code BatchStrategies.scan(1000)}).
 */
final class Contexts {

	/** Entry TTL of both contenders unless a harness says otherwise. */
	static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

	private Contexts() {
	}

	static void quietLogs() {
		Logger.getLogger("").setLevel(Level.WARNING);
		for (var handler : Logger.getLogger("").getHandlers()) {
			handler.setLevel(Level.WARNING);
		}
	}

	enum Contender {

		CACHETAGS("CacheTags"), CACHETAGS_NEAR("CacheTags, near cache"), REDIS_CACHE_MANAGER("RedisCacheManager"),
		REDIS_CACHE_MANAGER_LOCKING("RedisCacheManager (locking writer)"), CAFFEINE("CaffeineCacheManager");

		final String label;

		Contender(String label) {
			this.label = label;
		}

	}

	static AnnotationConfigApplicationContext start(Contender contender, BenchRedis redis) {
		return start(contender, redis, DEFAULT_TTL, Map.of());
	}

	/**
	 * @param extra extra {@code cachetags.*} properties (ignored by {@code RedisCacheManager})
	 */
	static AnnotationConfigApplicationContext start(Contender contender, BenchRedis redis, Duration ttl,
			Map<String, Object> extra) {
		quietLogs();
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("cachetags.default-ttl", ttl.toMillis() + "ms");
		properties.put("cachetags.eviction-policy-check", "ignore");
		properties.put("bench.ttl-millis", ttl.toMillis());
		properties.put("bench.locking", contender == Contender.REDIS_CACHE_MANAGER_LOCKING);
		if (contender == Contender.CACHETAGS_NEAR) {
			properties.put("cachetags.local.enabled", "true");
		}
		properties.putAll(extra);
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("bench", properties));
		context.registerBean("redisConnectionFactory", LettuceConnectionFactory.class,
				() -> connectionFactory(redis));
		context.register(switch (contender) {
			case CACHETAGS, CACHETAGS_NEAR -> CacheTagsApplication.class;
			case CAFFEINE -> CaffeineApplication.class;
			default -> RedisCacheManagerApplication.class;
		});
		context.refresh();
		return context;
	}

	/** The same connection settings for every contender: standalone, Lettuce defaults (one shared connection). */
	static LettuceConnectionFactory connectionFactory(BenchRedis redis) {
		return new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()),
				LettuceClientConfiguration.defaultConfiguration());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration(CacheTagsAutoConfiguration.class)
	@AutoConfigurationPackage
	static class CacheTagsApplication {

		@Bean
		ProductService productService() {
			return new ProductService();
		}

	}

	/** Spring's local cache, as the bound of what a near-cache hit can cost. */
	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CaffeineApplication {

		@Bean
		ProductService productService() {
			return new ProductService();
		}

		@Bean
		CaffeineCacheManager cacheManager(@Value("${bench.ttl-millis}") long ttlMillis) {
			CaffeineCacheManager manager = new CaffeineCacheManager();
			manager.setCaffeine(Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMillis(ttlMillis)));
			return manager;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class RedisCacheManagerApplication {

		@Bean
		ProductService productService() {
			return new ProductService();
		}

		@Bean
		RedisCacheManager cacheManager(RedisConnectionFactory connectionFactory, @Value("${bench.ttl-millis}") long ttlMillis,
				@Value("${bench.locking}") boolean locking) {
			RedisCacheWriter writer = RedisCacheWriter.create(connectionFactory, (writerConfig) -> {
				writerConfig.batchStrategy(BatchStrategies.scan(1000)).immediateWrites();
				if (locking) {
					writerConfig.enableLocking();
				}
			});
			RedisCacheConfiguration defaults = RedisCacheConfiguration.defaultCacheConfig()
				.entryTtl(Duration.ofMillis(ttlMillis))
				.serializeValuesWith(SerializationPair.fromSerializer(RedisSerializer.json()));
			return RedisCacheManager.builder(writer).cacheDefaults(defaults).build();
		}

	}

}
