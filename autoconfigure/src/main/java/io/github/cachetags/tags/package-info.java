@NullMarked
package io.github.cachetags.tags;

import org.jspecify.annotations.NullMarked;
