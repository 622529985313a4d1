package io.github.cachetags.cache;

import org.springframework.dao.TransientDataAccessResourceException;

/**
 * A purge or eviction could not reach Redis now; it is queued and retried until Redis accepts it.
 */
public class InvalidationPendingException extends TransientDataAccessResourceException {

	public InvalidationPendingException(String message, Throwable cause) {
		super(message, cause);
	}

}
