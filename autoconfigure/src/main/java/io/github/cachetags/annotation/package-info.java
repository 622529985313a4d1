@NullMarked
package io.github.cachetags.annotation;

import org.jspecify.annotations.NullMarked;
