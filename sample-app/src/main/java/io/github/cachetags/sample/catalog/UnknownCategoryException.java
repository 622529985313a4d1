package io.github.cachetags.sample.catalog;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * An update names a category that does not exist. Nothing is changed and nothing is purged.
 */
@ResponseStatus(HttpStatus.BAD_REQUEST)
public class UnknownCategoryException extends RuntimeException {

	public UnknownCategoryException(long categoryId) {
		super("No category with id " + categoryId);
	}

}
