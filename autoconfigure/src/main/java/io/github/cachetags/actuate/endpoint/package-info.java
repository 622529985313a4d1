@NullMarked
package io.github.cachetags.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
