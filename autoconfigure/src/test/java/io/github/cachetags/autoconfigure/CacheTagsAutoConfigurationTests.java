package io.github.cachetags.autoconfigure;

import java.time.Duration;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.cache.CacheExecutors;
import io.github.cachetags.cache.CacheSettings;
import io.github.cachetags.cache.Freshness;
import io.github.cachetags.cache.NearSettings;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.interceptor.EvictTagsAdvisor;
import io.github.cachetags.serializer.TypedJsonRedisSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.serializer.JdkSerializationRedisSerializer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of the auto-configuration, without a Redis server.
 */
class CacheTagsAutoConfigurationTests {

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, CacheAutoConfiguration.class,
				CacheTagsAutoConfiguration.class))
		.withUserConfiguration(CachingApplication.class)
		.withPropertyValues("cachetags.eviction-policy-check=ignore", "spring.data.redis.port=1");

	@Test
	void registersTheTagAwareCacheManagerOnBootsRedis() {
		this.contexts.run((context) -> {
			assertThat(context).hasSingleBean(TagAwareCacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(TagAwareCacheManager.class);
			assertThat(context).hasSingleBean(CacheTagOperations.class);
			assertThat(context).hasSingleBean(CachingConfigurer.class);
			assertThat(context).hasSingleBean(EvictTagsAdvisor.class);
		});
	}

	@Test
	void cacheManagerBacksOffWhenUserDefinesOne() {
		this.contexts.withBean("cacheManager", CacheManager.class, ConcurrentMapCacheManager::new).run((context) -> {
			assertThat(context).doesNotHaveBean(TagAwareCacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
			assertThat(context).doesNotHaveBean(CachingConfigurer.class);
		});
	}

	@Test
	void cachingConfigurerBacksOffWhenUserDefinesOne() {
		this.contexts.withBean("userConfigurer", CachingConfigurer.class, () -> new CachingConfigurer() {
		}).run((context) -> {
			assertThat(context).hasSingleBean(TagAwareCacheManager.class);
			assertThat(context).getBeanNames(CachingConfigurer.class).containsExactly("userConfigurer");
		});
	}

	@Test
	void jsonFormatReadsTheApplicationsPackagesAndTheListedOnes() {
		this.contexts.withInitializer(applicationPackages("com.example.shop", "com"))
			.withPropertyValues("cachetags.json.allowed-packages=com.example.catalog, org.example.dto")
			.run((context) -> assertThat(context.getBean("cacheTagsValueSerializer"))
				.isInstanceOfSatisfying(TypedJsonRedisSerializer.class, (serializer) -> assertThat(
						serializer.allowedPackages())
					.containsExactly("com.example.catalog", "org.example.dto", "com.example.shop")));
	}

	@Test
	void jdkFormatIsJavaSerialization() {
		this.contexts.withPropertyValues("cachetags.serializer=jdk")
			.run((context) -> assertThat(context.getBean("cacheTagsValueSerializer"))
				.isInstanceOf(JdkSerializationRedisSerializer.class));
	}

	@Test
	void valueSerializerBacksOffWhenUserDefinesOne() {
		this.contexts
			.withBean("cacheTagsValueSerializer", JdkSerializationRedisSerializer.class,
					JdkSerializationRedisSerializer::new)
			.run((context) -> assertThat(context.getBean("cacheTagsValueSerializer"))
				.isInstanceOf(JdkSerializationRedisSerializer.class));
	}

	private static ApplicationContextInitializer<ConfigurableApplicationContext> applicationPackages(
			String... packages) {
		return (context) -> AutoConfigurationPackages.register((BeanDefinitionRegistry) context, packages);
	}

	@Test
	void disabledByProperty() {
		this.contexts.withPropertyValues("cachetags.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TagAwareCacheManager.class));
	}

	@Test
	void perCacheSettingsOverrideDefaultsAndInheritTheRest() {
		this.contexts
			.withPropertyValues("cachetags.default-ttl=5m", "cachetags.cache-null-values=false", "cachetags.shards=2",
					"cachetags.caches.products.ttl=60s", "cachetags.caches.products.version=3",
					"cachetags.caches.config.cache-null-values=true", "cachetags.caches.config.shards=1")
			.run((context) -> {
				TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
				assertThat(manager.getCacheNames()).containsExactly("config", "products");
				assertThat(manager.getCache("products").getSettings())
					.isEqualTo(new CacheSettings(Duration.ofSeconds(60), false, 3, 2));
				assertThat(manager.getCache("config").getSettings())
					.isEqualTo(new CacheSettings(Duration.ofMinutes(5), true, 1, 1));
				assertThat(manager.getCache("other").getSettings())
					.isEqualTo(new CacheSettings(Duration.ofMinutes(5), false, 1, 2));
			});
	}

	@Test
	void freshnessSettingsInheritFromTheDefaultsAndBuiltIns() {
		this.contexts
			.withPropertyValues("cachetags.freshness.refresh-ahead=true", "cachetags.freshness.ttl-jitter=0.1",
					"cachetags.caches.quotes.ttl=1m", "cachetags.caches.quotes.freshness.refresh-threshold=0.3",
					"cachetags.caches.quotes.freshness.stale-if-error=5m", "cachetags.caches.plain.ttl=1m",
					"cachetags.caches.plain.freshness.refresh-ahead=false")
			.run((context) -> {
				TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
				assertThat(manager.getCache("quotes").getSettings().freshness()).isEqualTo(new Freshness(true, 0.3,
						null, 0.1, 0, Duration.ZERO, Duration.ofMinutes(5)));
				assertThat(manager.getCache("plain").getSettings().freshness())
					.isEqualTo(new Freshness(false, 0.2, null, 0.1, 0, Duration.ZERO, Duration.ZERO));
				assertThat(manager.getCache("quotes").getSettings().idle()).isEqualTo(Duration.ofMinutes(1));
			});
	}

	@Test
	void nearCacheSettingsInheritFromTheDefaultsAndBuiltIns() {
		this.contexts
			.withPropertyValues("cachetags.local.enabled=true", "cachetags.local.max-staleness=900ms",
					"cachetags.caches.products.local.maximum-size=500",
					"cachetags.caches.products.local.max-staleness=300ms",
					"cachetags.caches.plain.local.enabled=false")
			.run((context) -> {
				TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
				assertThat(manager.getCache("products").getSettings().local())
					.isEqualTo(new NearSettings(true, 500, null, Duration.ofMillis(300)));
				assertThat(manager.getCache("plain").getSettings().local().enabled()).isFalse();
				assertThat(manager.getCache("other").getSettings().local())
					.isEqualTo(new NearSettings(true, 10_000, null, Duration.ofMillis(900)));
				assertThat(manager.getCache("products").getNearStatistics()).isNotNull();
				assertThat(manager.getCache("plain").getNearStatistics()).isNull();
				assertThat(manager.getNearCoherence().checkInterval()).isEqualTo(Duration.ofMillis(100));
			});
	}

	@Test
	void withoutNearCachesNothingSubscribes() {
		this.contexts.run((context) -> {
			TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
			assertThat(manager.getNearCoherence()).isNull();
			assertThat(manager.getCache("products").getNearStatistics()).isNull();
		});
	}

	@Test
	void nearCachesWithoutCaffeineFailStartUpNamingTheProperty() {
		this.contexts.withClassLoader(new FilteredClassLoader("com.github.benmanes.caffeine"))
			.withPropertyValues("cachetags.caches.products.local.enabled=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("cachetags.caches.products.local.enabled")
					.hasMessageContaining("com.github.ben-manes.caffeine:caffeine");
			});
	}

	@Test
	void everyEligibleCacheableIsCoalescedUnlessModeIsSyncOnly() {
		this.contexts.run((context) -> assertThat(context).hasBean("cacheTagsSyncPromotion"));
		this.contexts.withPropertyValues("cachetags.coalescing.mode=sync-only")
			.run((context) -> assertThat(context).doesNotHaveBean("cacheTagsSyncPromotion"));
	}

	@Test
	void refreshThreadsAreStoppedWithTheContext() {
		this.contexts.run((context) -> {
			CacheExecutors executors = context.getBean(CacheExecutors.class);
			context.close();
			assertThat(((java.util.concurrent.ExecutorService) executors.refreshExecutor()).isShutdown()).isTrue();
		});
	}

	@Test
	void dynamicCachesCanBeTurnedOff() {
		this.contexts.withPropertyValues("cachetags.dynamic=false", "cachetags.caches.products.ttl=1m")
			.run((context) -> {
				TagAwareCacheManager manager = context.getBean(TagAwareCacheManager.class);
				assertThat(manager.getCache("products")).isNotNull();
				assertThat(manager.getCache("other")).isNull();
			});
	}

	@Test
	void badValuesFailStartUpNamingTheProperty() {
		assertFailsNaming("cachetags.default-ttl=0s", "cachetags.default-ttl");
		assertFailsNaming("cachetags.caches.products.ttl=-1s", "cachetags.caches.products.ttl");
		assertFailsNaming("cachetags.key-prefix=a{b}", "cachetags.key-prefix");
		assertFailsNaming("cachetags.purge-batch-size=0", "cachetags.purge-batch-size");
		assertFailsNaming("cachetags.purge-batch-size=301", "cachetags.purge-batch-size");
		assertFailsNaming("cachetags.shards=0", "cachetags.shards");
		assertFailsNaming("cachetags.caches.products.shards=5000", "cachetags.caches.products.shards");
		assertFailsNaming("cachetags.caches.[a{b}].ttl=1m", "cachetags.caches.a{b}");
		assertFailsNaming("cachetags.default-ttl=soon", "cachetags.default-ttl");
		assertFailsNaming("cachetags.serializer=xml", "cachetags.serializer");
		assertFailsNaming("cachetags.json.allowed-packages=java.util", "cachetags.json.allowed-packages");
		assertFailsNaming("cachetags.json.allowed-packages=com", "cachetags.json.allowed-packages");
		assertFailsNaming("cachetags.freshness.refresh-threshold=1.5", "cachetags.freshness.refresh-threshold");
		assertFailsNaming("cachetags.caches.products.freshness.ttl-jitter=1", "cachetags.caches.products.freshness.ttl-jitter");
		assertFailsNaming("cachetags.caches.products.freshness.stale-if-error=-1s",
				"cachetags.caches.products.freshness.stale-if-error");
		assertFailsNaming("cachetags.refresh.threads=0", "cachetags.refresh.threads");
		assertFailsNaming("cachetags.coalescing.mode=sometimes", "cachetags.coalescing.mode");
		assertFailsNaming("cachetags.local.max-staleness=5ms", "cachetags.local.max-staleness");
		assertFailsNaming("cachetags.caches.products.local.maximum-size=0",
				"cachetags.caches.products.local.maximum-size");
		assertFailsNaming("cachetags.local.expire-after-write=0s", "cachetags.local.expire-after-write");
	}

	@Test
	void unknownPropertiesFailStartUp() {
		assertFailsNaming("cachetags.caches.products.tll=1m", "tll");
		assertFailsNaming("cachetags.default-tll=1m", "default-tll");
	}

	private void assertFailsNaming(String property, String name) {
		this.contexts.withPropertyValues(property).run((context) -> {
			assertThat(context).as(property).hasFailed();
			Throwable failure = context.getStartupFailure();
			StringBuilder messages = new StringBuilder();
			for (Throwable t = failure; t != null; t = t.getCause()) {
				messages.append(t.getMessage()).append('\n');
			}
			assertThat(messages.toString()).as(property).contains(name);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingApplication {

	}

}
