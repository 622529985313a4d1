@NullMarked
package io.github.cachetags.cache;

import org.jspecify.annotations.NullMarked;
