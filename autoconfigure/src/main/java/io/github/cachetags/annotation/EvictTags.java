package io.github.cachetags.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Purges tags when the annotated method returns normally, or after the surrounding transaction commits when one
 * is active. Nothing is purged if the method throws (unless {@link #beforeInvocation()}) or the transaction rolls
 * back.
 * <p>
 * Expressions are SpEL over the arguments ({@code #p}, {@code #p0}), {@code #result} (not with
 * {@code beforeInvocation}) and {@code #root}, each giving a String or a collection of Strings. The purge has the
 * guarantee of {@link io.github.cachetags.CacheTagOperations#purge(String)}. If Redis cannot be reached the error
 * is logged and counted, and the method's result is returned as usual.
 *
 * <pre class="code">
 * &#064;Transactional
 * &#064;EvictTags({"'product:' + #p.id()", "'category:' + #p.categoryId()"})
 * public Product update(Product p) { ... }
 * </pre>
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface EvictTags {

	/**
	 * SpEL expressions giving the tags to purge.
	 */
	String[] value();

	/**
	 * Names of the caches to purge in; empty means every cache.
	 */
	String[] caches() default {};

	/**
	 * Whether to purge before the method runs (and so also when it fails) instead of after it returns.
	 */
	boolean beforeInvocation() default false;

}
