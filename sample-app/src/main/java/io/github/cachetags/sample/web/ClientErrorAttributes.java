package io.github.cachetags.sample.web;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.web.error.ErrorAttributeOptions.Include;
import org.springframework.boot.webmvc.error.DefaultErrorAttributes;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;

/**
 * Error bodies that tell a client why its request was refused, and nothing else.
 * <p>
 * A {@code message} is included only with a 4xx status, and only when it is the reason that the code refusing the
 * request wrote for the client: the reason of a {@code ResponseStatusException} (such as the {@code cachetags}
 * endpoint's explanation of an invalid tag), or the message of an exception annotated with {@link ResponseStatus}.
 * A server error (5xx) never carries an exception's message, class or stack trace, which may hold SQL or other
 * internals; those go to the log. This replaces {@code spring.web.error.include-message}, which is all or nothing.
 */
@Component
class ClientErrorAttributes extends DefaultErrorAttributes {

	private static final String MESSAGE = "message";

	@Override
	public Map<String, Object> getErrorAttributes(WebRequest request, ErrorAttributeOptions options) {
		Map<String, Object> attributes = super.getErrorAttributes(request,
				options.excluding(Include.MESSAGE, Include.EXCEPTION, Include.STACK_TRACE, Include.BINDING_ERRORS));
		String message = clientMessage(request, attributes.get("status"));
		if (message != null) {
			attributes.put(MESSAGE, message);
		}
		return attributes;
	}

	private @Nullable String clientMessage(WebRequest request, @Nullable Object status) {
		if (!(status instanceof Integer code) || code < 400 || code >= 500) {
			return null;
		}
		Object reason = request.getAttribute(RequestDispatcher.ERROR_MESSAGE, RequestAttributes.SCOPE_REQUEST);
		if (reason instanceof String text && !text.isBlank()) {
			return text;
		}
		Throwable error = getError(request);
		if (error != null && AnnotatedElementUtils.hasAnnotation(error.getClass(), ResponseStatus.class)) {
			return error.getMessage();
		}
		return null;
	}

}
