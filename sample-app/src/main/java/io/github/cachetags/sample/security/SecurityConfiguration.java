package io.github.cachetags.sample.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * {@code DELETE /actuator/cachetags/**} (purging a tag) needs HTTP basic authentication as the operator of
 * {@code sample.admin.*}; the catalogue and every read of the actuator are open.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final String OPERATOR = "OPERATOR";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests
			.requestMatchers(HttpMethod.DELETE, "/actuator/cachetags/**")
			.hasRole(OPERATOR)
			.anyRequest()
			.permitAll());
		http.httpBasic(Customizer.withDefaults());
		// A stateless JSON API: no session and no cookie, each call authenticates with its own basic credentials,
		// so there is no ambient session for a forged cross-site request to ride on, and CSRF tokens would only
		// stand in the way of curl and scripts. Browsers do replay cached basic credentials, so purge from a
		// script, not from a browser that also visits other sites.
		http.csrf((csrf) -> csrf.disable());
		http.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	InMemoryUserDetailsManager operators(AdminProperties admin) {
		// {noop}: the password is already in clear text in the configuration; hashing it here would add nothing
		return new InMemoryUserDetailsManager(User.withUsername(admin.username())
			.password("{noop}" + admin.password())
			.roles(OPERATOR)
			.build());
	}

	/**
	 * Lets every tag reach the endpoint percent-encoded, which Spring Security's firewall partly rejects by default
	 * ({@code %2F}, {@code %25}, {@code %3B}, {@code %5C}, {@code %2E}); only for paths of the form
	 * {@code /actuator/cachetags/<encoded tag>} (see {@link TagPathFirewall}).
	 */
	@Bean
	WebSecurityCustomizer allowEncodedTags() {
		return (web) -> web.httpFirewall(new TagPathFirewall());
	}

}
