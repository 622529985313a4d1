/**
 * Web server settings the sample needs: tags containing an encoded {@code /} in actuator paths.
 */
@NullMarked
package io.github.cachetags.sample.web;

import org.jspecify.annotations.NullMarked;
