package io.github.cachetags.it;

/**
 * Spring's cache annotations with JDK values ({@code cachetags.serializer=jdk}).
 */
class SpringCacheConformanceAnnotationsJdkIT extends SpringCacheAnnotationContract {

	SpringCacheConformanceAnnotationsJdkIT() {
		super("jdk");
	}

}
