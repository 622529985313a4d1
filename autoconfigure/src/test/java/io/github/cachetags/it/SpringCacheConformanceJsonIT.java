package io.github.cachetags.it;

/**
 * Spring's {@code Cache} contract with JSON values ({@code cachetags.serializer=json}).
 */
class SpringCacheConformanceJsonIT extends SpringCacheContract {

	SpringCacheConformanceJsonIT() {
		super("json");
	}

}
