@NullMarked
package io.github.cachetags.autoconfigure;

import org.jspecify.annotations.NullMarked;
