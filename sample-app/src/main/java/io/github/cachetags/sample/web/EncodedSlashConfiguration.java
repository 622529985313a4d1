package io.github.cachetags.sample.web;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tomcat answers 400 to a path containing {@code %2F} by default. Tags such as {@code category:a/b} are sent to
 * {@code /actuator/cachetags/category:a%2Fb}, so Tomcat decodes {@code %2F} to {@code /}, and the endpoint, which
 * takes all remaining path segments as the tag, reads {@code category:a/b} whether the slash was encoded or not.
 */
@Configuration(proxyBeanMethods = false)
class EncodedSlashConfiguration {

	@Bean
	TomcatConnectorCustomizer decodeEncodedSlashes() {
		return (connector) -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.DECODE.getValue());
	}

}
