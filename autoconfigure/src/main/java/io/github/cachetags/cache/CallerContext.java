package io.github.cachetags.cache;

/**
 * Captures what is bound to the caller's thread (tenant, security context, MDC, observation) so that work done
 * for the caller on another thread, such as a refresh ahead of expiry or an asynchronous load, runs as the caller.
 * <p>
 * CacheTags checks after restoring a snapshot that the tenant resolves as it did for the caller; if it does not,
 * the background work does not run (see {@link TagAwareCache}).
 */
@FunctionalInterface
public interface CallerContext {

	/** Captures nothing: background work runs with whatever its thread holds. */
	CallerContext NONE = () -> Snapshot.EMPTY;

	/**
	 * Captures the current thread's context.
	 */
	Snapshot capture();

	/**
	 * A captured context.
	 */
	@FunctionalInterface
	interface Snapshot {

		/** Restores nothing. */
		Snapshot EMPTY = () -> () -> {
		};

		/**
		 * Makes the captured context the current thread's until the returned scope is closed.
		 */
		Scope restore();

	}

	/**
	 * A restored context; closing it puts back what the thread held before.
	 */
	@FunctionalInterface
	interface Scope extends AutoCloseable {

		@Override
		void close();

	}

}
