package io.github.cachetags.benchmarks;

/**
 * The cached value: a small catalogue row, 231 bytes of JSON for id 500.
 */
public record Product(long id, String name, String category, long priceCents, String description) {

	static Product of(long id) {
		return new Product(id, "Product " + id, "category-" + (id % 100), 1000 + id % 997,
				"A product used by the CacheTags benchmarks; this text pads the value to a typical row size.");
	}

}
