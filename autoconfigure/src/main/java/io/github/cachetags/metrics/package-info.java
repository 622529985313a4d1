@NullMarked
package io.github.cachetags.metrics;

import org.jspecify.annotations.NullMarked;
