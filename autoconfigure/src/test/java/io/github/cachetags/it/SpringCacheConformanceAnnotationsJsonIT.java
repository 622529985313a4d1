package io.github.cachetags.it;

/**
 * Spring's cache annotations with JSON values ({@code cachetags.serializer=json}).
 */
class SpringCacheConformanceAnnotationsJsonIT extends SpringCacheAnnotationContract {

	SpringCacheConformanceAnnotationsJsonIT() {
		super("json");
	}

}
