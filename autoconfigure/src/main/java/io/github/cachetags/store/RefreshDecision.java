package io.github.cachetags.store;

/**
 * What Redis answered to a request to refresh an entry ahead of its expiry.
 */
public sealed interface RefreshDecision {

	/**
	 * The entry lives longer than the refresh window: another instance refreshed it.
	 *
	 * @param remainingMillis how long the entry lives on
	 */
	record Fresh(long remainingMillis) implements RefreshDecision {
	}

	/**
	 * The caller holds the key's load lease and refreshes.
	 *
	 * @param start the refresh's load start, read when the lease was taken
	 */
	record Leased(LoadStart start) implements RefreshDecision {
	}

	/**
	 * Another loader holds the lease.
	 */
	enum Busy implements RefreshDecision {

		INSTANCE

	}

	/**
	 * The entry expired or was purged; the next read loads it.
	 */
	enum Gone implements RefreshDecision {

		INSTANCE

	}

}
