package io.github.cachetags.store;

/**
 * What one read of an entry found.
 */
public sealed interface Lookup {

	/**
	 * A valid entry.
	 *
	 * @param value the stored bytes; empty for a cached {@code null}
	 */
	record Hit(byte[] value) implements Lookup {
	}

	/**
	 * No valid entry.
	 *
	 * @param redisMicros the Redis time at which the miss was seen, in microseconds since the epoch
	 */
	record Miss(long redisMicros) implements Lookup {
	}

}
