/**
 * A product catalogue whose reads are cached with CacheTags: the runnable example of the README.
 */
@NullMarked
package io.github.cachetags.sample;

import org.jspecify.annotations.NullMarked;
