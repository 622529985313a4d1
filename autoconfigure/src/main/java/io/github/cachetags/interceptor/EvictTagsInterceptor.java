package io.github.cachetags.interceptor;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.annotation.EvictTags;
import io.github.cachetags.cache.InvalidationPendingException;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.tags.Tags;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Applies {@link EvictTags}: evaluates and validates the tags when the method returns (so a bad tag fails the
 * method, and rolls back its transaction, before anything is purged), then purges them at once or, inside a
 * transaction, after it completes (after a rollback too, since an inner {@code REQUIRES_NEW} transaction may have
 * committed the change). A purge that fails for Redis trouble is logged, never thrown, and queued for retry.
 */
public class EvictTagsInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(EvictTagsInterceptor.class);

	private final Supplier<CacheTagOperations> operations;

	private final TagExpressionEvaluator evaluator;

	private final Map<MethodClassKey, EvictTags> annotations = new ConcurrentHashMap<>();

	public EvictTagsInterceptor(Supplier<CacheTagOperations> operations, TagExpressionEvaluator evaluator) {
		this.operations = operations;
		this.evaluator = evaluator;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target)
				: invocation.getMethod().getDeclaringClass();
		EvictTags evictTags = find(invocation.getMethod(), targetClass);
		if (evictTags == null) {
			return invocation.proceed();
		}
		TagExpressionRoot root = new TagExpressionRoot(invocation.getMethod(), invocation.getArguments(), target,
				targetClass, Arrays.asList(evictTags.caches()));
		CacheTagOperations operations = this.operations.get();
		// the caller's tenant, resolved now: the purge may run after the transaction, when it is no longer bound
		String tenant = (operations instanceof TagAwareCacheManager manager) ? manager.currentTenant() : null;
		if (evictTags.beforeInvocation()) {
			purge(operations, tenant, evictTags, validated(this.evaluator.evaluate(evictTags.value(), root,
					TagExpressionEvaluator.NO_RESULT)));
			return invocation.proceed();
		}
		Object result = invocation.proceed();
		List<String> tags = validated(this.evaluator.evaluate(evictTags.value(), root, result));
		// after a rollback too: an inner REQUIRES_NEW transaction may have committed the change the tags stand for,
		// and a purge too many only costs misses
		TransactionDeferral.INSTANCE.afterTransaction(() -> purge(operations, tenant, evictTags, tags),
				() -> purge(operations, tenant, evictTags, tags));
		return result;
	}

	private static List<String> validated(List<String> tags) {
		tags.forEach(Tags::requireValid);
		return tags.stream().distinct().toList();
	}

	private void purge(CacheTagOperations operations, @Nullable String tenant, EvictTags evictTags,
			List<String> tags) {
		for (String tag : tags) {
			try {
				if (evictTags.caches().length == 0) {
					purge(operations, tenant, null, tag);
				}
				else {
					for (String cache : evictTags.caches()) {
						purge(operations, tenant, cache, tag);
					}
				}
			}
			catch (RuntimeException ex) {
				logger.error("Could not purge tag '" + tag + "' now"
						+ ((ex instanceof InvalidationPendingException) ? "; it is queued and retried until Redis accepts it"
								: "; its entries may be served until they expire"),
						ex);
			}
		}
	}

	private static void purge(CacheTagOperations operations, @Nullable String tenant, @Nullable String cache,
			String tag) {
		if (tenant != null && operations instanceof TagAwareCacheManager manager) {
			manager.purgeAs(tenant, cache, tag);
		}
		else if (cache == null) {
			operations.purge(tag);
		}
		else {
			operations.purge(cache, tag);
		}
	}

	private @Nullable EvictTags find(Method method, Class<?> targetClass) {
		MethodClassKey key = new MethodClassKey(method, targetClass);
		EvictTags cached = this.annotations.get(key);
		if (cached != null) {
			return cached;
		}
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		EvictTags found = AnnotatedElementUtils.findMergedAnnotation(specific, EvictTags.class);
		if (found == null) {
			found = AnnotatedElementUtils.findMergedAnnotation(targetClass, EvictTags.class);
		}
		if (found != null) {
			this.annotations.put(key, found);
		}
		return found;
	}

}
