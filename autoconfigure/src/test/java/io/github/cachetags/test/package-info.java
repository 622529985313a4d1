/**
 * A real Redis for tests, and contexts wired as applications wire CacheTags.
 */
@NullUnmarked
package io.github.cachetags.test;

import org.jspecify.annotations.NullUnmarked;
