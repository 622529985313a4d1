package io.github.cachetags.cache;

/**
 * Work for a caller could not run as that caller on another thread (its tenant was not carried over).
 */
public class CallerContextException extends IllegalStateException {

	public CallerContextException(String message) {
		super(message);
	}

}
