package io.github.cachetags.sample.web;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lets a tag that contains {@code /} or {@code \} reach the {@code cachetags} endpoint percent-encoded, as
 * {@code %2F} and {@code %5C}. By default Tomcat answers 400 to {@code %2F}, and decodes {@code %5C} to a backslash
 * that it then refuses. Passed through undecoded, both stay inside the one path segment that carries the tag, and
 * Spring MVC, which matches the raw path, decodes that segment to the tag.
 */
@Configuration(proxyBeanMethods = false)
class EncodedSlashesConfiguration {

	@Bean
	TomcatConnectorCustomizer passEncodedSlashesThrough() {
		return (connector) -> {
			connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
			connector.setEncodedReverseSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
		};
	}

}
