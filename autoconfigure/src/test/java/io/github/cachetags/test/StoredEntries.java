package io.github.cachetags.test;

import java.nio.charset.StandardCharsets;

/**
 * Reads and rewrites stored entries by hand, as {@code put.lua} lays them out: one string
 * {@code <marks length>:<load ms>:<marks><value>}, the marks being {@code tag\nmark\n} for each tag and the length
 * counted in bytes.
 */
public final class StoredEntries {

	private StoredEntries() {
	}

	/** The value part of a stored entry. */
	public static String value(String stored) {
		Parts parts = Parts.of(stored);
		return parts.value();
	}

	/** The stored entry with its value replaced. */
	public static String withValue(String stored, String value) {
		Parts parts = Parts.of(stored);
		return parts.header() + parts.marks() + value;
	}

	/** The stored entry with its marks replaced by text that may not be marks at all. */
	public static String withMarks(String stored, String marks) {
		Parts parts = Parts.of(stored);
		return marks.getBytes(StandardCharsets.UTF_8).length + ":" + parts.loadMillis() + ":" + marks + parts.value();
	}

	private record Parts(String header, String loadMillis, String marks, String value) {

		static Parts of(String stored) {
			int first = stored.indexOf(':');
			int second = stored.indexOf(':', first + 1);
			if (first < 0 || second < 0) {
				throw new IllegalArgumentException("Not a stored entry: " + stored);
			}
			int size = Integer.parseInt(stored.substring(0, first));
			byte[] rest = stored.substring(second + 1).getBytes(StandardCharsets.UTF_8);
			String marks = new String(rest, 0, size, StandardCharsets.UTF_8);
			String value = new String(rest, size, rest.length - size, StandardCharsets.UTF_8);
			return new Parts(stored.substring(0, second + 1), stored.substring(first + 1, second), marks, value);
		}

	}

}
