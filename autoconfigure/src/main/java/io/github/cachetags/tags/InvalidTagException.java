package io.github.cachetags.tags;

/**
 * Thrown when a tag breaks the rules of {@link Tags}, before Redis is touched.
 */
public class InvalidTagException extends IllegalArgumentException {

	public InvalidTagException(String message) {
		super(message);
	}

}
