/**
 * Products and categories: the cached reads, and the update that purges their tags after commit.
 */
@NullMarked
package io.github.cachetags.sample.catalog;

import org.jspecify.annotations.NullMarked;
