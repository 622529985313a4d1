package io.github.cachetags.interceptor;

import java.lang.reflect.Method;
import java.util.Collection;

import org.jspecify.annotations.Nullable;

/**
 * {@code #root} of tag expressions, with the properties of Spring's cache expression root.
 */
public final class TagExpressionRoot {

	private final Method method;

	private final @Nullable Object[] args;

	private final @Nullable Object target;

	private final Class<?> targetClass;

	private final Collection<String> caches;

	TagExpressionRoot(Method method, @Nullable Object[] args, @Nullable Object target, Class<?> targetClass,
			Collection<String> caches) {
		this.method = method;
		this.args = args;
		this.target = target;
		this.targetClass = targetClass;
		this.caches = caches;
	}

	public Method getMethod() {
		return this.method;
	}

	public String getMethodName() {
		return this.method.getName();
	}

	public @Nullable Object[] getArgs() {
		return this.args;
	}

	public @Nullable Object getTarget() {
		return this.target;
	}

	public Class<?> getTargetClass() {
		return this.targetClass;
	}

	/** Names of the caches of the operation. */
	public Collection<String> getCaches() {
		return this.caches;
	}

}
