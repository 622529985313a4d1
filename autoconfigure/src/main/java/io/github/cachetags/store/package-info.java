@NullMarked
package io.github.cachetags.store;

import org.jspecify.annotations.NullMarked;
