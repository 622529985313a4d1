/**
 * The sample's database access: an artificial latency per query and a count of queries, so that the effect of
 * the cache shows.
 */
@NullMarked
package io.github.cachetags.sample.database;

import org.jspecify.annotations.NullMarked;
