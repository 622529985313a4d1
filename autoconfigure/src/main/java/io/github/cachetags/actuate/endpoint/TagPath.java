package io.github.cachetags.actuate.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.util.StringUtils;

/**
 * Reads a tag from the raw path of an HTTP request: the one path segment after the endpoint's path, percent-encoded
 * (RFC 3986), which must decode exactly to the tag.
 * <p>
 * Servers and Spring MVC read some raw characters as URL syntax, not as part of the tag: a {@code /} splits
 * segments, and empty segments (a trailing or doubled {@code /}) are dropped; {@code ;} starts path parameters,
 * which are dropped; {@code ?} starts the query; {@code .} and {@code ..} alone are dot-segments. Any of them would
 * make the endpoint see another tag than the one the operator typed, so a request containing one raw is refused,
 * and nothing is counted or purged.
 */
final class TagPath {

	private static final String ALL_REMAINING = "/**";

	private TagPath() {
	}

	/**
	 * Returns the tag that a request path names, or {@code null} if the path and pattern are not those the
	 * segments were read from (the endpoint was called from code, or by another web stack).
	 * @param path the raw (still percent-encoded) path of the request within the application
	 * @param pattern the path pattern the request matched, such as {@code /actuator/cachetags/**}
	 * @param query the raw query string, {@code null} when the request has none
	 * @param segments the path segments after the endpoint's path, as the actuator decoded them
	 * @throws InvalidEndpointRequestException if the path does not name a tag in the one accepted encoding
	 */
	static @Nullable String read(String path, String pattern, @Nullable String query, String[] segments) {
		if (!pattern.endsWith(ALL_REMAINING)) {
			return null;
		}
		String raw = remainder(path, segmentCount(pattern.substring(0, pattern.length() - ALL_REMAINING.length())));
		if (raw == null || !Arrays.equals(segmentsAsSpringMvcReadsThem(raw), segments)) {
			return null;
		}
		if (query != null) {
			throw refused("The request has a query string ('?" + query + "'). A tag is sent as one percent-encoded"
					+ " path segment and nothing else: write '?' in a tag as %3F, '#' as %23 and '%' as %25");
		}
		if (raw.length() > 1 && raw.indexOf('/') == raw.length() - 1) {
			String before = raw.substring(0, raw.length() - 1);
			throw refused("The path ends with '/' after '" + before + "'. A tag is one percent-encoded path segment,"
					+ " with '/' written as %2F: send " + before + " for the tag '" + decodeOrRaw(before) + "', or "
					+ before + "%2F for the tag '" + decodeOrRaw(before) + "/'");
		}
		if (raw.indexOf('/') >= 0) {
			throw refused("The path has more than one segment after the endpoint ('" + raw + "'). A tag is one"
					+ " percent-encoded path segment: write '/' in a tag as %2F, as in " + raw.replace("/", "%2F"));
		}
		if (raw.indexOf(';') >= 0) {
			throw refused("The tag segment '" + raw + "' contains ';', which servers read as the start of path"
					+ " parameters: write ';' in a tag as %3B, as in " + raw.replace(";", "%3B"));
		}
		if (raw.equals(".") || raw.equals("..")) {
			throw refused("'" + raw + "' is a dot-segment, which clients and servers remove from paths: write the tag '"
					+ raw + "' as " + raw.replace(".", "%2E"));
		}
		return decode(raw);
	}

	private static int segmentCount(String prefix) {
		return StringUtils.tokenizeToStringArray(prefix, "/", false, true).length;
	}

	/**
	 * The raw text after the first {@code count} segments of the path, or {@code null} if the path has no more.
	 */
	private static @Nullable String remainder(String path, int count) {
		int separator = 0;
		for (int i = 0; i < count; i++) {
			if (separator >= path.length() || path.charAt(separator) != '/') {
				return null;
			}
			separator = path.indexOf('/', separator + 1);
			if (separator < 0) {
				return null;
			}
		}
		return (separator < path.length() && path.charAt(separator) == '/') ? path.substring(separator + 1) : null;
	}

	/**
	 * The segments that Spring MVC's actuator mapping passes for this raw remainder: path parameters removed, empty
	 * segments dropped, each segment percent-decoded; {@code null} if a segment does not decode.
	 */
	private static String @Nullable [] segmentsAsSpringMvcReadsThem(String raw) {
		List<String> segments = new ArrayList<>();
		for (String segment : raw.split("/", -1)) {
			int parameters = segment.indexOf(';');
			String value = (parameters >= 0) ? segment.substring(0, parameters) : segment;
			if (!value.isEmpty()) {
				String decoded = decodeOrNull(value);
				if (decoded == null) {
					return null;
				}
				segments.add(decoded);
			}
		}
		return segments.toArray(new String[0]);
	}

	private static String decode(String raw) {
		String decoded = decodeOrNull(raw);
		if (decoded == null) {
			throw refused("The tag segment '" + raw + "' is not valid percent-encoding: write '%' in a tag as %25");
		}
		return decoded;
	}

	private static String decodeOrRaw(String raw) {
		String decoded = decodeOrNull(raw);
		return (decoded != null) ? decoded : raw;
	}

	private static @Nullable String decodeOrNull(String raw) {
		try {
			return StringUtils.uriDecode(raw, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static InvalidEndpointRequestException refused(String reason) {
		return new InvalidEndpointRequestException(reason, reason);
	}

}
