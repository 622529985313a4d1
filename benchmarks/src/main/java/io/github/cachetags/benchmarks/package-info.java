/**
 * Benchmarks and harnesses that compare CacheTags with Spring Data Redis's {@code RedisCacheManager} on one real
 * {@code redis-server}.
 */
@NullMarked
package io.github.cachetags.benchmarks;

import org.jspecify.annotations.NullMarked;
