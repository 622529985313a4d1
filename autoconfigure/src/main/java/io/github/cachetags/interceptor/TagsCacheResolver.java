package io.github.cachetags.interceptor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.cache.Deferral;
import io.github.cachetags.cache.EntryTags;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TaggedCacheView;
import io.github.cachetags.store.LoadStart;
import io.github.cachetags.store.Namespace;
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
import org.springframework.util.ClassUtils;

/**
 * Resolves caches like Spring's {@code SimpleCacheResolver} and hands out, for a {@link TagAwareCache}, a view
 * ({@link TaggedCacheView}) that tags stored entries from {@link CacheTags}, orders them after the invocation's
 * load start (closing the stale-set race), and defers changes to the end of a transaction. For {@code @CachePut}
 * the load start is read from Redis here, before the method runs; for {@code @Cacheable} it comes with the miss.
 */
public class TagsCacheResolver implements CacheResolver {

	private final CacheManager cacheManager;

	private final TagExpressionEvaluator evaluator;

	private final Deferral deferral;

	private final Map<MethodClassKey, Optional<String[]>> expressions = new ConcurrentHashMap<>();

	/** The declared value type of each cached method, worked out once. */
	private final Map<Method, Optional<Class<?>>> declaredTypes = new ConcurrentHashMap<>();

	public TagsCacheResolver(CacheManager cacheManager, TagExpressionEvaluator evaluator) {
		this(cacheManager, evaluator, TransactionDeferral.INSTANCE);
	}

	public TagsCacheResolver(CacheManager cacheManager, TagExpressionEvaluator evaluator, Deferral deferral) {
		this.cacheManager = cacheManager;
		this.evaluator = evaluator;
		this.deferral = deferral;
	}

	@Override
	public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
		Collection<String> names = context.getOperation().getCacheNames();
		boolean replacing = context.getOperation() instanceof CachePutOperation;
		boolean writes = replacing || context.getOperation() instanceof CacheableOperation;
		List<Cache> caches = new ArrayList<>(names.size());
		for (String name : names) {
			Cache cache = this.cacheManager.getCache(name);
			if (cache == null) {
				throw new IllegalArgumentException(
						"Cannot find cache named '" + name + "' for " + context.getOperation());
			}
			if (cache instanceof TagAwareCache tagAware) {
				EntryTags tags = writes ? entryTags(context, names, replacing ? tagAware.loadStartsNow() : Map.of())
						: EntryTags.NONE;
				caches.add(new TaggedCacheView(tagAware, tags, replacing, this.deferral,
						this.declaredTypes
							.computeIfAbsent(context.getMethod(), (method) -> Optional.ofNullable(declaredType(method)))
							.orElse(null)));
			}
			else {
				caches.add(cache);
			}
		}
		return caches;
	}

	private EntryTags entryTags(CacheOperationInvocationContext<?> context, Collection<String> names,
			Map<Namespace, LoadStart> loadStarts) {
		return new InvocationTags(context, names, loadStarts, this);
	}

	/**
	 * The tags of a value the invocation stores, evaluated only then (a hit needs none).
	 */
	private List<String> tagsFor(CacheOperationInvocationContext<?> context, Collection<String> names,
			@Nullable Object value) {
		Object target = context.getTarget();
		Class<?> targetClass = AopUtils.getTargetClass(target);
		String[] expressionStrings = this.expressions
			.computeIfAbsent(new MethodClassKey(context.getMethod(), targetClass),
					(key) -> findExpressions(context.getMethod(), targetClass))
			.orElse(null);
		if (expressionStrings == null) {
			return List.of();
		}
		TagExpressionRoot root = new TagExpressionRoot(context.getMethod(), context.getArgs(), target, targetClass,
				names);
		return this.evaluator.evaluate(expressionStrings, root, value);
	}

	/**
	 * The type a cached value of the method must have: its boxed return type, unless that says nothing precise
	 * ({@code Object}, {@code void}) or is a wrapper the cache abstraction unwraps ({@code Optional}, futures and
	 * reactive types), in which case {@code null}.
	 */
	static @Nullable Class<?> declaredType(Method method) {
		Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(method.getReturnType());
		if (type == Object.class || type == Void.class || type == Optional.class
				|| java.util.concurrent.Future.class.isAssignableFrom(type)
				|| java.util.concurrent.CompletionStage.class.isAssignableFrom(type)
				|| type.getName().startsWith("org.reactivestreams.") || type.getName().startsWith("reactor.")
				|| type.getName().startsWith("kotlinx.")) {
			return null;
		}
		return type;
	}

	private static Optional<String[]> findExpressions(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		CacheTags tags = AnnotatedElementUtils.findMergedAnnotation(specific, CacheTags.class);
		if (tags == null) {
			tags = AnnotatedElementUtils.findMergedAnnotation(targetClass, CacheTags.class);
		}
		return Optional.ofNullable(tags).map(CacheTags::value);
	}

	private record InvocationTags(CacheOperationInvocationContext<?> context, Collection<String> names,
			Map<Namespace, LoadStart> loadStarts, TagsCacheResolver resolver) implements EntryTags {

		@Override
		public LoadStart loadStart(Namespace namespace) {
			return this.loadStarts.getOrDefault(namespace, LoadStart.UNKNOWN);
		}

		@Override
		public List<String> tagsFor(@Nullable Object value) {
			return this.resolver.tagsFor(this.context, this.names, value);
		}

	}

}
