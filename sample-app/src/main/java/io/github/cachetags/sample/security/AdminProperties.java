package io.github.cachetags.sample.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator allowed to purge tags over HTTP.
 *
 * @param username user name for HTTP basic authentication
 * @param password password for HTTP basic authentication; override it outside a laptop
 */
@ConfigurationProperties("sample.admin")
public record AdminProperties(@DefaultValue("admin") String username, @DefaultValue("admin") String password) {
}
