/**
 * Starts a local {@code redis-server} for the sample when no Redis is configured. The starter itself never starts a
 * server; this is the sample's convenience only.
 */
@NullMarked
package io.github.cachetags.sample.redis;

import org.jspecify.annotations.NullMarked;
