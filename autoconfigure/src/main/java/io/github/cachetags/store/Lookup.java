package io.github.cachetags.store;

/**
 * What one read of an entry found.
 */
public sealed interface Lookup {

	/**
	 * A valid entry.
	 *
	 * @param value the stored bytes; empty for a cached {@code null}
	 * @param remainingMillis how long the entry lives on in Redis
	 * @param loadMillis how long the load of the value took, 0 if unknown
	 */
	record Hit(byte[] value, long remainingMillis, long loadMillis) implements Lookup {

		public Hit(byte[] value) {
			this(value, Long.MAX_VALUE, 0);
		}

	}

	/**
	 * No valid entry.
	 *
	 * @param redisMicros the Redis time at which the miss was seen, in microseconds since the epoch; 0 if Redis
	 * was not reached
	 * @param leaseHeld whether the caller holds the key's load lease (only when it asked for it)
	 */
	record Miss(long redisMicros, boolean leaseHeld) implements Lookup {

		public Miss(long redisMicros) {
			this(redisMicros, false);
		}

	}

}
