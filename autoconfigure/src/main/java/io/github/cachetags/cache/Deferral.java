package io.github.cachetags.cache;

/**
 * When a cache change requested during a transaction takes effect.
 */
@FunctionalInterface
public interface Deferral {

	/** Every change takes effect at once. */
	Deferral NONE = (onCommit, onRollback) -> onCommit.run();

	/**
	 * Runs {@code onCommit} when the current transaction commits, or {@code onRollback} when it rolls back; both
	 * at once when there is no transaction.
	 */
	void afterTransaction(Runnable onCommit, Runnable onRollback);

}
