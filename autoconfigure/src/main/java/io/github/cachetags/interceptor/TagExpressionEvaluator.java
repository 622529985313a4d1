package io.github.cachetags.interceptor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ObjectUtils;

/**
 * Evaluates tag expressions; parsed expressions are kept per expression string.
 */
public final class TagExpressionEvaluator {

	/** Name of the variable holding the method's result. */
	public static final String RESULT_VARIABLE = "result";

	private final SpelExpressionParser parser = new SpelExpressionParser();

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final Map<String, Expression> expressions = new ConcurrentHashMap<>();

	private final @Nullable BeanFactory beanFactory;

	public TagExpressionEvaluator(@Nullable BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * Evaluates expressions to tags, flattening collections and arrays and dropping nulls.
	 * @param result the method's result, or {@link #NO_RESULT} when it is not known yet
	 */
	public List<String> evaluate(String[] expressionStrings, TagExpressionRoot root, @Nullable Object result) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(root, root.getMethod(),
				(root.getArgs() != null) ? root.getArgs() : new Object[0], this.parameterNames);
		if (result != NO_RESULT) {
			context.setVariable(RESULT_VARIABLE, result);
		}
		if (this.beanFactory != null) {
			context.setBeanResolver(new BeanFactoryResolver(this.beanFactory));
		}
		List<String> tags = new ArrayList<>();
		for (String expressionString : expressionStrings) {
			Expression expression = this.expressions.computeIfAbsent(expressionString, this.parser::parseExpression);
			Object value;
			try {
				value = expression.getValue(context);
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException("Tag expression \"" + expressionString + "\" on "
						+ describe(root.getMethod()) + " failed: " + ex.getMessage(), ex);
			}
			collect(value, tags);
		}
		return tags;
	}

	private static void collect(@Nullable Object value, List<String> tags) {
		if (value == null) {
			return;
		}
		if (value instanceof Collection<?> collection) {
			collection.forEach((element) -> collect(element, tags));
		}
		else if (value.getClass().isArray()) {
			for (Object element : ObjectUtils.toObjectArray(value)) {
				collect(element, tags);
			}
		}
		else {
			tags.add(value.toString());
		}
	}

	private static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName();
	}

	/** Marks "no result yet" (before invocation), as opposed to a {@code null} result. */
	public static final Object NO_RESULT = new Object();

}
