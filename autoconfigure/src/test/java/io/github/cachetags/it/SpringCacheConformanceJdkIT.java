package io.github.cachetags.it;

/**
 * Spring's {@code Cache} contract with JDK values ({@code cachetags.serializer=jdk}).
 */
class SpringCacheConformanceJdkIT extends SpringCacheContract {

	SpringCacheConformanceJdkIT() {
		super("jdk");
	}

}
