package io.github.cachetags.interceptor;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CacheOperationSource;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.core.MethodClassKey;
import org.springframework.util.StringUtils;

/**
 * Makes every {@code @Cacheable} that may be synchronized behave as {@code @Cacheable(sync = true)}, so its misses
 * are coalesced: one naming a single cache, without {@code unless}, and the method's only cache operation (Spring's
 * conditions for {@code sync}). Other operations are left as they are.
 */
public final class SyncPromotingCacheOperationSource implements CacheOperationSource {

	private final CacheOperationSource delegate;

	private final Map<MethodClassKey, Optional<Collection<CacheOperation>>> promoted = new ConcurrentHashMap<>();

	public SyncPromotingCacheOperationSource(CacheOperationSource delegate) {
		this.delegate = delegate;
	}

	@Override
	public boolean isCandidateClass(Class<?> targetClass) {
		return this.delegate.isCandidateClass(targetClass);
	}

	@Override
	public @Nullable Collection<CacheOperation> getCacheOperations(Method method, @Nullable Class<?> targetClass) {
		Collection<CacheOperation> operations = this.delegate.getCacheOperations(method, targetClass);
		if (operations == null || operations.size() != 1
				|| !(operations.iterator().next() instanceof CacheableOperation cacheable) || cacheable.isSync()
				|| cacheable.getCacheNames().size() != 1 || StringUtils.hasText(cacheable.getUnless())) {
			return operations;
		}
		return this.promoted
			.computeIfAbsent(new MethodClassKey(method, targetClass), (key) -> Optional.of(List.of(sync(cacheable))))
			.orElse(operations);
	}

	private static CacheOperation sync(CacheableOperation operation) {
		CacheableOperation.Builder builder = new CacheableOperation.Builder();
		builder.setName(operation.getName());
		builder.setCacheNames(operation.getCacheNames().toArray(String[]::new));
		builder.setKey(operation.getKey());
		builder.setKeyGenerator(operation.getKeyGenerator());
		builder.setCacheManager(operation.getCacheManager());
		builder.setCacheResolver(operation.getCacheResolver());
		builder.setCondition(operation.getCondition());
		builder.setUnless(operation.getUnless());
		builder.setSync(true);
		return builder.build();
	}

}
