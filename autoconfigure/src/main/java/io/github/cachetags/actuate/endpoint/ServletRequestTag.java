package io.github.cachetags.actuate.endpoint;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Reads the tag from the raw path of the servlet request that the current thread serves through Spring MVC (see
 * {@link TagPath}). Only loaded when the servlet API and Spring Web are on the class path.
 */
final class ServletRequestTag {

	/** {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}, named here so that Spring MVC need not be present. */
	private static final String BEST_MATCHING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

	private ServletRequestTag() {
	}

	/**
	 * The tag the current request's path names, or {@code null} if the current thread serves no Spring MVC request
	 * that these segments were read from.
	 * @throws org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException if the path does not name a
	 * tag in the one accepted encoding
	 */
	static @Nullable String read(String[] segments) {
		if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
			return null;
		}
		HttpServletRequest request = attributes.getRequest();
		if (!(request.getAttribute(BEST_MATCHING_PATTERN) instanceof String pattern)) {
			return null;
		}
		return TagPath.read(pathWithinApplication(request), pattern, request.getQueryString(), segments);
	}

	/**
	 * The raw path that Spring MVC matched: the parsed request path when the dispatcher cached it, else the request
	 * URI without the context path.
	 */
	private static String pathWithinApplication(HttpServletRequest request) {
		if (ServletRequestPathUtils.hasParsedRequestPath(request)) {
			return ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication().value();
		}
		String uri = request.getRequestURI();
		String contextPath = request.getContextPath();
		return uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
	}

}
