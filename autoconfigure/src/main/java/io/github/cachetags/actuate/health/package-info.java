@NullMarked
package io.github.cachetags.actuate.health;

import org.jspecify.annotations.NullMarked;
