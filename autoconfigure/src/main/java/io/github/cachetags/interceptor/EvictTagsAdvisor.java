package io.github.cachetags.interceptor;

import io.github.cachetags.annotation.EvictTags;
import org.aopalliance.aop.Advice;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Applies {@link EvictTagsInterceptor} to methods (or classes) annotated with {@link EvictTags}.
 */
public class EvictTagsAdvisor extends AbstractPointcutAdvisor {

	private final transient EvictTagsInterceptor interceptor;

	private final transient Pointcut pointcut = new ComposablePointcut(
			new AnnotationMatchingPointcut(null, EvictTags.class, true))
		.union(new AnnotationMatchingPointcut(EvictTags.class, true));

	public EvictTagsAdvisor(EvictTagsInterceptor interceptor) {
		this.interceptor = interceptor;
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

}
