package io.github.cachetags.sample.catalog;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * No product or category with the requested id. Thrown by a cached method, it is not cached: the next read asks
 * the database again.
 */
@ResponseStatus(HttpStatus.NOT_FOUND)
public class NotFoundException extends RuntimeException {

	public NotFoundException(String what, long id) {
		super("No " + what + " with id " + id);
	}

}
