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
	 * @param tags the entry's tags when asked for (a near cache files the value under them), else empty; the
	 * cache-wide tag is not listed
	 */
	record Hit(byte[] value, long remainingMillis, long loadMillis, java.util.List<String> tags) implements Lookup {

		public Hit(byte[] value) {
			this(value, Long.MAX_VALUE, 0);
		}

		public Hit(byte[] value, long remainingMillis, long loadMillis) {
			this(value, remainingMillis, loadMillis, java.util.List.of());
		}

	}

	/**
	 * No valid entry.
	 *
	 * @param start the load start a value loaded now must be stored under; {@link LoadStart#UNKNOWN} if Redis
	 * was not reached
	 * @param leaseHeld whether the caller holds the key's load lease (only when it asked for it)
	 * @param leaseHolder the token of the lease's holder when another one holds it, else {@code ""}
	 */
	record Miss(LoadStart start, boolean leaseHeld, String leaseHolder) implements Lookup {

		/** A miss without Redis: nothing loaded now may be stored. */
		public static final Miss UNREACHED = new Miss(LoadStart.UNKNOWN, false, "");

		public boolean redisReached() {
			return this.start.known();
		}

	}

}
