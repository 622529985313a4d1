package io.github.cachetags.tags;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules a tag must follow: printable ASCII ({@code 0x20}-{@code 0x7E}), 1 to {@value #MAX_LENGTH}
 * characters, at most {@value #MAX_PER_ENTRY} per entry. A tag is a literal: {@code *} or {@code ?} in it match
 * nothing but themselves.
 */
public final class Tags {

	/** Longest tag accepted. */
	public static final int MAX_LENGTH = 256;

	/** Most tags one entry may carry. */
	public static final int MAX_PER_ENTRY = 64;

	private Tags() {
	}

	/**
	 * Returns the tag if it is valid.
	 * @throws InvalidTagException naming the rule the tag breaks
	 */
	public static String requireValid(String tag) {
		if (tag == null || tag.isEmpty()) {
			throw new InvalidTagException("A tag must not be empty");
		}
		if (tag.length() > MAX_LENGTH) {
			throw new InvalidTagException("Tag '" + tag.substring(0, 32) + "...' is " + tag.length()
					+ " characters long; at most " + MAX_LENGTH + " are allowed");
		}
		for (int i = 0; i < tag.length(); i++) {
			char c = tag.charAt(i);
			if (c < 0x20 || c > 0x7E) {
				throw new InvalidTagException("Tag '" + printable(tag) + "' contains character U+"
						+ String.format("%04X", (int) c) + " at index " + i
						+ "; tags are printable ASCII (0x20-0x7E)");
			}
		}
		return tag;
	}

	/**
	 * Validates tags for one entry and removes duplicates, keeping their order.
	 * @throws InvalidTagException if any tag is invalid or there are more than {@value #MAX_PER_ENTRY}
	 */
	public static List<String> forEntry(Collection<String> tags) {
		Set<String> unique = new LinkedHashSet<>();
		for (String tag : tags) {
			unique.add(requireValid(tag));
		}
		if (unique.size() > MAX_PER_ENTRY) {
			throw new InvalidTagException("An entry carries " + unique.size() + " tags; at most " + MAX_PER_ENTRY
					+ " are allowed");
		}
		return new ArrayList<>(unique);
	}

	private static String printable(String tag) {
		StringBuilder out = new StringBuilder();
		tag.codePoints().limit(64).forEach((c) -> out.append((c >= 0x20 && c <= 0x7E) ? (char) c : '?'));
		return out.toString();
	}

}
