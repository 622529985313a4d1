package io.github.cachetags.interceptor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.cache.EntryTags;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TaggedCacheView;
import io.github.cachetags.store.RedisClock;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Resolves caches like Spring's {@code SimpleCacheResolver} and, for {@code @Cacheable} and {@code @CachePut}
 * on a {@link TagAwareCache}, hands out a view that tags the stored entry from {@link CacheTags} and stamps it
 * with the time the invocation began, which closes the stale-set race.
 */
public class TagsCacheResolver implements CacheResolver {

	private final CacheManager cacheManager;

	private final TagExpressionEvaluator evaluator;

	private final RedisClock clock;

	private final Map<MethodClassKey, Optional<String[]>> expressions = new ConcurrentHashMap<>();

	public TagsCacheResolver(CacheManager cacheManager, TagExpressionEvaluator evaluator, RedisClock clock) {
		this.cacheManager = cacheManager;
		this.evaluator = evaluator;
		this.clock = clock;
	}

	@Override
	public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
		Collection<String> names = context.getOperation().getCacheNames();
		boolean writes = context.getOperation() instanceof CacheableOperation
				|| context.getOperation() instanceof CachePutOperation;
		EntryTags tags = null;
		List<Cache> caches = new ArrayList<>(names.size());
		for (String name : names) {
			Cache cache = this.cacheManager.getCache(name);
			if (cache == null) {
				throw new IllegalArgumentException(
						"Cannot find cache named '" + name + "' for " + context.getOperation());
			}
			if (writes && cache instanceof TagAwareCache tagAware) {
				if (tags == null) {
					tags = entryTags(context, names);
				}
				caches.add(new TaggedCacheView(tagAware, tags));
			}
			else {
				caches.add(cache);
			}
		}
		return caches;
	}

	private EntryTags entryTags(CacheOperationInvocationContext<?> context, Collection<String> names) {
		long loadStart = loadStart();
		Object target = context.getTarget();
		Class<?> targetClass = AopUtils.getTargetClass(target);
		String[] expressionStrings = this.expressions
			.computeIfAbsent(new MethodClassKey(context.getMethod(), targetClass),
					(key) -> findExpressions(context.getMethod(), targetClass))
			.orElse(null);
		TagExpressionRoot root = new TagExpressionRoot(context.getMethod(), context.getArgs(), target, targetClass,
				names);
		return new InvocationTags(expressionStrings, root, loadStart, this.evaluator);
	}

	private long loadStart() {
		try {
			return this.clock.lowerBoundMicros();
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	private static Optional<String[]> findExpressions(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		CacheTags tags = AnnotatedElementUtils.findMergedAnnotation(specific, CacheTags.class);
		if (tags == null) {
			tags = AnnotatedElementUtils.findMergedAnnotation(targetClass, CacheTags.class);
		}
		return Optional.ofNullable(tags).map(CacheTags::value);
	}

	private record InvocationTags(String @Nullable [] expressions, TagExpressionRoot root, long loadStartMicros,
			TagExpressionEvaluator evaluator) implements EntryTags {

		@Override
		public List<String> tagsFor(@Nullable Object value) {
			if (this.expressions == null) {
				return List.of();
			}
			return this.evaluator.evaluate(this.expressions, this.root, value);
		}

	}

}
