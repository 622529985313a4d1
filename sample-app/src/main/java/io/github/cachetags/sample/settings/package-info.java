/**
 * Slow-moving shop settings, cached for a day.
 */
@NullMarked
package io.github.cachetags.sample.settings;

import org.jspecify.annotations.NullMarked;
