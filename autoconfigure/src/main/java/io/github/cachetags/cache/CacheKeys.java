package io.github.cachetags.cache;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.util.ReflectionUtils;

/**
 * Turns the keys Spring's key generators produce into the strings stored in Redis.
 * <p>
 * Strings are used as they are; other keys by their {@code toString()}, which their class must override (as
 * {@code SimpleKey}, numbers, enums, UUIDs and records do). Keys longer than {@value #MAX_PLAIN_LENGTH}
 * characters are replaced by {@code #} and their SHA-256, so key length stays bounded.
 */
final class CacheKeys {

	static final int MAX_PLAIN_LENGTH = 200;

	private CacheKeys() {
	}

	static String toUserKey(Object key) {
		String text = (key instanceof String string) ? string : describe(key);
		boolean encodable = encodable(text);
		if (text.length() <= MAX_PLAIN_LENGTH && encodable) {
			return text;
		}
		// UTF-16 keeps every char of a key UTF-8 would mangle, so two such keys do not share a hash
		return "#" + sha256(text.getBytes(encodable ? StandardCharsets.UTF_8 : StandardCharsets.UTF_16BE));
	}

	/**
	 * Whether a key survives UTF-8 unchanged: a key with an unpaired surrogate does not, and two such keys could
	 * name one Redis entry, so it is hashed instead.
	 */
	private static boolean encodable(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

	/** Whether a class overrides {@code toString()}, looked up once per class. */
	private static final ClassValue<Boolean> DESCRIBES_ITSELF = new ClassValue<>() {

		@Override
		protected Boolean computeValue(Class<?> type) {
			Method toString = ReflectionUtils.findMethod(type, "toString");
			return toString != null && toString.getDeclaringClass() != Object.class;
		}

	};

	private static String describe(Object key) {
		if (!DESCRIBES_ITSELF.get(key.getClass())) {
			throw new IllegalStateException("Cannot use " + key.getClass().getName()
					+ " as a cache key: it does not override toString(); use a key that does, or a KeyGenerator");
		}
		return key.toString();
	}

	private static String sha256(byte[] text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
