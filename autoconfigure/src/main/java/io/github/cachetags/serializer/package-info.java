/**
 * Value serialization: JSON that records the Java type of every stored value, so a hit returns exactly the type
 * that was stored, and that reads only types from an allow-list.
 */
@NullMarked
package io.github.cachetags.serializer;

import org.jspecify.annotations.NullMarked;
