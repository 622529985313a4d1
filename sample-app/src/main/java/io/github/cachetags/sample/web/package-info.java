/**
 * Web server settings the sample needs: every tag can reach the actuator endpoint percent-encoded, and error bodies
 * carry reasons for clients but never internals.
 */
@NullMarked
package io.github.cachetags.sample.web;

import org.jspecify.annotations.NullMarked;
