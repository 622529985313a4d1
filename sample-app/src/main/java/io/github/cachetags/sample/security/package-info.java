/**
 * Who may purge tags: {@code DELETE /actuator/cachetags/**} needs the operator's credentials, everything else is
 * open.
 */
@NullMarked
package io.github.cachetags.sample.security;

import org.jspecify.annotations.NullMarked;
