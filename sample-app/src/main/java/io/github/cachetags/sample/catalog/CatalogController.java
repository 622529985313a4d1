package io.github.cachetags.sample.catalog;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The catalogue's HTTP API.
 */
@RestController
class CatalogController {

	/** Longest name the database stores: {@code product.name} is {@code VARCHAR(200)} (schema.sql). */
	static final int MAX_NAME_LENGTH = 200;

	private final CatalogService catalog;

	CatalogController(CatalogService catalog) {
		this.catalog = catalog;
	}

	@GetMapping("/products/{id}")
	Product product(@PathVariable long id) {
		return this.catalog.product(id);
	}

	@GetMapping("/categories/{id}/products")
	CategoryProducts categoryProducts(@PathVariable long id) {
		return this.catalog.categoryProducts(id);
	}

	@PutMapping("/products/{id}")
	Product update(@PathVariable long id, @RequestBody ProductChanges changes) {
		String name = changes.name();
		Long categoryId = changes.categoryId();
		Long priceCents = changes.priceCents();
		if (name == null || name.isBlank() || categoryId == null || priceCents == null || priceCents < 0) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"Expected a body with a non-blank name, a categoryId and a priceCents of 0 or more");
		}
		if (name.length() > MAX_NAME_LENGTH) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "A name has at most " + MAX_NAME_LENGTH
					+ " characters; this one has " + name.length());
		}
		return this.catalog.update(id, name, categoryId, priceCents).product();
	}

}
