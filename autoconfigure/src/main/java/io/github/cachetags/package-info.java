@NullMarked
package io.github.cachetags;

import org.jspecify.annotations.NullMarked;
