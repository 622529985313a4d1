package io.github.cachetags.autoconfigure;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.TenantResolver;
import io.github.cachetags.cache.CacheExecutors;
import io.github.cachetags.cache.CallerContext;
import io.github.cachetags.cache.PropagatedCallerContext;
import io.github.cachetags.cache.CacheInfrastructure;
import io.github.cachetags.cache.Invalidations;
import io.github.cachetags.cache.NearCoherence;
import io.github.cachetags.cache.Coalescing;
import io.github.cachetags.cache.OutageBackoff;
import io.github.cachetags.cache.RecordingCacheErrorHandler;
import io.github.cachetags.cache.RefreshScheduler;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.cache.Tenancy;
import io.github.cachetags.interceptor.EvictTagsAdvisor;
import io.github.cachetags.interceptor.EvictTagsInterceptor;
import io.github.cachetags.interceptor.SyncPromotingCacheOperationSource;
import io.github.cachetags.interceptor.TagExpressionEvaluator;
import io.github.cachetags.interceptor.TagsCacheResolver;
import io.github.cachetags.store.RedisNodes;
import io.github.cachetags.store.RedisTagStore;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.CacheOperationSource;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;
import org.springframework.context.annotation.Role;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.util.ClassUtils;

/**
 * Auto-configures the tag-aware cache manager on the application's {@link RedisConnectionFactory}: after Spring
 * Boot's Redis auto-configuration, before its cache auto-configuration, and not at all when the application
 * defines its own {@link CacheManager}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass({ RedisConnectionFactory.class, CacheManager.class })
@ConditionalOnBean(RedisConnectionFactory.class)
@ConditionalOnProperty(prefix = "cachetags", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(CacheTagsProperties.class)
public final class CacheTagsAutoConfiguration {

	/** Threads that run {@code Cache.retrieve} for asynchronous {@code @Cacheable} methods. */
	static final int ASYNC_THREADS = 4;

	@Bean
	@ConditionalOnMissingBean
	RedisTagStore cacheTagsStore(RedisConnectionFactory connectionFactory, CacheTagsProperties properties) {
		new CacheSettingsResolver(properties);
		return new RedisTagStore(connectionFactory, properties.getKeyPrefix(), properties.getMaxLoadTime(),
				properties.getPurgeBatchSize(), properties.getReplicationWait());
	}

	/**
	 * The format of stored values: with {@code json}, JSON that keeps each value's Java type and reads only the
	 * JDK value types and the classes of the application's packages and {@code cachetags.json.allowed-packages}.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "cacheTagsValueSerializer")
	RedisSerializer<Object> cacheTagsValueSerializer(CacheTagsProperties properties, BeanFactory beanFactory) {
		return switch (properties.getSerializer()) {
			case JSON -> JsonValueFormat.serializer(properties, beanFactory);
			case JDK -> RedisSerializer.java(CacheTagsAutoConfiguration.class.getClassLoader());
		};
	}

	@Bean
	@ConditionalOnMissingBean
	CacheExecutors cacheTagsExecutors(CacheTagsProperties properties) {
		return new CacheExecutors(properties.getRefresh().getThreads(), properties.getRefresh().getQueueCapacity(),
				ASYNC_THREADS);
	}

	@Bean
	@ConditionalOnMissingBean
	RefreshScheduler cacheTagsRefreshScheduler(CacheTagsProperties properties, CacheExecutors executors) {
		RefreshScheduler scheduler = new RefreshScheduler(properties.getRefresh().getMaxKeys(), System::nanoTime,
				executors.refreshExecutor());
		executors.schedule(scheduler::tick, properties.getRefresh().getInterval());
		return scheduler;
	}

	@Bean
	@ConditionalOnMissingBean(CacheManager.class)
	TagAwareCacheManager cacheManager(CacheTagsProperties properties, RedisTagStore store,
			@Qualifier("cacheTagsValueSerializer") RedisSerializer<Object> serializer,
			ObjectProvider<TenantResolver> tenantResolver, RefreshScheduler refreshScheduler,
			CacheExecutors executors, ObjectProvider<CallerContext> callerContext, ResourceLoader resourceLoader) {
		CacheSettingsResolver settings = new CacheSettingsResolver(properties);
		CacheInfrastructure infrastructure = new CacheInfrastructure(properties.getKeyPrefix(), store, serializer,
				new Tenancy(tenantResolver.getIfUnique()),
				new OutageBackoff(properties.getRedisRetryInterval(), System::nanoTime), System::nanoTime,
				new Coalescing(properties.getCoalescing().isEnabled(), properties.getCoalescing().getLeaseTime(),
						Coalescing.DEFAULTS.firstPoll(), Coalescing.DEFAULTS.maxPoll()),
				refreshScheduler, executors.asyncExecutor(),
				callerContext.getIfAvailable(CacheTagsAutoConfiguration::callerContext));
		TagAwareCacheManager manager = new TagAwareCacheManager(infrastructure, settings,
				properties.getCaches().keySet(), properties.isDynamic(),
				nearCoherence(settings, store, resourceLoader.getClassLoader()));
		executors.schedule(manager.getInvalidations()::retry, properties.getRedisRetryInterval());
		executors.schedule(manager.getInvalidations()::registerAll, Invalidations.REREGISTER_INTERVAL);
		executors.schedule(store::resumeDrains, RedisTagStore.DRAIN_RESUME_INTERVAL);
		return manager;
	}

	/**
	 * What keeps near caches coherent, when any cache has one; Caffeine must then be on the class path.
	 */
	private static @Nullable NearCoherence nearCoherence(CacheSettingsResolver settings, RedisTagStore store,
			@Nullable ClassLoader classLoader) {
		String enabledBy = settings.nearCacheProperty();
		if (enabledBy == null) {
			return null;
		}
		if (!ClassUtils.isPresent("com.github.benmanes.caffeine.cache.Caffeine", classLoader)) {
			throw new InvalidConfigurationPropertyValueException(enabledBy, true,
					"Near caches keep values in Caffeine: add com.github.ben-manes.caffeine:caffeine to the class path,"
							+ " or turn near caches off");
		}
		return new NearCoherence(store, settings.smallestMaxStaleness()).start();
	}

	/**
	 * Background work carries the caller's context through Micrometer's context-propagation when it is on the
	 * class path; without it, only the tenant is checked (and background work refused when it differs).
	 */
	static CallerContext callerContext() {
		if (ClassUtils.isPresent("io.micrometer.context.ContextSnapshotFactory",
				CacheTagsAutoConfiguration.class.getClassLoader())) {
			return new PropagatedCallerContext();
		}
		return CallerContext.NONE;
	}

	/**
	 * With {@code cachetags.coalescing.mode=all} (the default), makes every {@code @Cacheable} that may be
	 * synchronized behave as {@code sync = true}, when the cache manager is CacheTags'.
	 */
	@Bean
	@ConditionalOnProperty(prefix = "cachetags.coalescing", name = "mode", havingValue = "all", matchIfMissing = true)
	SyncPromotion cacheTagsSyncPromotion(ListableBeanFactory beanFactory) {
		return new SyncPromotion(beanFactory);
	}

	/**
	 * Reads {@code INFO} of each Redis server (every master of a cluster) for the eviction policy check, health and
	 * server gauges.
	 */
	@Bean
	@ConditionalOnMissingBean
	RedisNodes cacheTagsRedisNodes(RedisConnectionFactory connectionFactory) {
		return new RedisNodes(connectionFactory);
	}

	@Bean
	@ConditionalOnBean(RedisTagStore.class)
	EvictionPolicyVerifier cacheTagsEvictionPolicyVerifier(RedisNodes nodes, CacheTagsProperties properties) {
		return new EvictionPolicyVerifier(nodes, properties.getEvictionPolicyCheck());
	}

	@Bean
	@ConditionalOnMissingBean
	TagExpressionEvaluator cacheTagsExpressionEvaluator(BeanFactory beanFactory) {
		return new TagExpressionEvaluator(beanFactory);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static EvictTagsAdvisor cacheTagsEvictTagsAdvisor(ObjectProvider<CacheTagOperations> operations,
			ObjectProvider<BeanFactory> beanFactory) {
		return new EvictTagsAdvisor(new EvictTagsInterceptor(operations::getObject,
				new TagExpressionEvaluator(beanFactory.getIfAvailable())));
	}

	/**
	 * Routes {@code @Cacheable}/{@code @CachePut} through the tag-aware resolver and keeps cache errors from
	 * failing methods. Backs off when the application has a {@link CachingConfigurer} of its own.
	 */
	@Bean
	@ConditionalOnBean(TagAwareCacheManager.class)
	@ConditionalOnMissingBean(CachingConfigurer.class)
	CachingConfigurer cacheTagsCachingConfigurer(TagAwareCacheManager cacheManager,
			TagExpressionEvaluator evaluator) {
		CacheResolver resolver = new TagsCacheResolver(cacheManager, evaluator);
		CacheErrorHandler errorHandler = new RecordingCacheErrorHandler();
		return new CachingConfigurer() {

			@Override
			public CacheResolver cacheResolver() {
				return resolver;
			}

			@Override
			public CacheErrorHandler errorHandler() {
				return errorHandler;
			}

		};
	}

	/**
	 * Swaps the operation source of every cache interceptor once all singletons exist; an interceptor reads its
	 * source on each call, so this takes effect from the first call on.
	 */
	static final class SyncPromotion implements SmartInitializingSingleton {

		private final ListableBeanFactory beanFactory;

		SyncPromotion(ListableBeanFactory beanFactory) {
			this.beanFactory = beanFactory;
		}

		@Override
		public void afterSingletonsInstantiated() {
			if (this.beanFactory.getBeanNamesForType(TagAwareCacheManager.class, false, false).length == 0) {
				return;
			}
			for (CacheAspectSupport interceptor : this.beanFactory.getBeansOfType(CacheAspectSupport.class, false, false)
				.values()) {
				CacheOperationSource source = interceptor.getCacheOperationSource();
				if (source != null && !(source instanceof SyncPromotingCacheOperationSource)) {
					interceptor.setCacheOperationSource(new SyncPromotingCacheOperationSource(source));
				}
			}
		}

	}

}
