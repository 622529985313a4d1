@NullMarked
package io.github.cachetags.interceptor;

import org.jspecify.annotations.NullMarked;
