package io.github.cachetags.sample.security;

import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's {@link StrictHttpFirewall}, relaxed for one shape of path only: {@code /actuator/cachetags/}
 * followed by one raw segment, the percent-encoded tag. There, the encoded characters a tag may contain pass
 * ({@code %2F}, {@code %25}, {@code %3B}, {@code %5C}, {@code %2E}), and so does a raw {@code ;}, which the
 * endpoint then refuses with a message saying how to encode it. Every other path keeps the strict defaults.
 * <p>
 * The relaxation cannot open a path around the security rules: Spring Security and Spring MVC both match the raw
 * request path with the same path patterns, so a request that the firewall lets through as a tag path is matched
 * as a tag path by both.
 */
final class TagPathFirewall implements HttpFirewall {

	private static final Pattern TAG_PATH = Pattern.compile("/actuator/cachetags/[^/]+");

	private final StrictHttpFirewall strict = new StrictHttpFirewall();

	private final StrictHttpFirewall tagPath = new StrictHttpFirewall();

	TagPathFirewall() {
		this.tagPath.setAllowUrlEncodedSlash(true);
		this.tagPath.setAllowUrlEncodedDoubleSlash(true);
		this.tagPath.setAllowUrlEncodedPercent(true);
		this.tagPath.setAllowUrlEncodedPeriod(true);
		this.tagPath.setAllowBackSlash(true);
		this.tagPath.setAllowSemicolon(true);
	}

	@Override
	public FirewalledRequest getFirewalledRequest(HttpServletRequest request) throws RequestRejectedException {
		String uri = request.getRequestURI();
		String contextPath = request.getContextPath();
		String path = uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
		StrictHttpFirewall firewall = TAG_PATH.matcher(path).matches() ? this.tagPath : this.strict;
		return firewall.getFirewalledRequest(request);
	}

	@Override
	public HttpServletResponse getFirewalledResponse(HttpServletResponse response) {
		return this.strict.getFirewalledResponse(response);
	}

}
