package io.github.cachetags.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Tags the entries that {@code @Cacheable} or {@code @CachePut} on the same method store.
 * <p>
 * Each expression is SpEL evaluated when the value is stored, with the method arguments ({@code #id},
 * {@code #p0}, {@code #a0}), the value ({@code #result}) and {@code #root} ({@code method}, {@code methodName},
 * {@code args}, {@code target}, {@code targetClass}, {@code caches}) in scope, and gives a String or a collection
 * of Strings; {@code null} elements are ignored. Tags must be printable ASCII of at most 256 characters, at most 64
 * per entry: a value whose tags break these rules is not cached (the method still returns it) and the error is
 * logged and counted.
 *
 * <pre class="code">
 * &#064;Cacheable(cacheNames = "products", sync = true)
 * &#064;CacheTags({"'product:' + #id", "'category:' + #result.categoryId()"})
 * public Product product(long id) { ... }
 * </pre>
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CacheTags {

	/**
	 * SpEL expressions giving the tags.
	 */
	String[] value();

}
