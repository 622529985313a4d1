package io.github.cachetags.sample.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.cachetags.sample.database.DatabaseQueries;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Products and categories in the database. Every statement goes through {@link DatabaseQueries}.
 */
@Repository
class CatalogRepository {

	private static final String PRODUCT_COLUMNS = "id, name, category_id, price_cents";

	private final JdbcClient jdbc;

	private final DatabaseQueries queries;

	CatalogRepository(JdbcClient jdbc, DatabaseQueries queries) {
		this.jdbc = jdbc;
		this.queries = queries;
	}

	Optional<Product> findProduct(long id) {
		return this.queries.run(() -> this.jdbc.sql("SELECT " + PRODUCT_COLUMNS + " FROM product WHERE id = ?")
			.param(id)
			.query(Product.class)
			.optional());
	}

	Optional<Product> findProductForUpdate(long id) {
		return this.queries
			.run(() -> this.jdbc.sql("SELECT " + PRODUCT_COLUMNS + " FROM product WHERE id = ? FOR UPDATE")
				.param(id)
				.query(Product.class)
				.optional());
	}

	Optional<String> findCategoryName(long id) {
		return this.queries.run(() -> this.jdbc.sql("SELECT name FROM category WHERE id = ?")
			.param(id)
			.query(String.class)
			.optional());
	}

	boolean categoryExists(long id) {
		return this.queries.run(() -> this.jdbc.sql("SELECT COUNT(*) FROM category WHERE id = ?")
			.param(id)
			.query(Long.class)
			.single()) > 0;
	}

	List<Product> findProductsOfCategory(long categoryId) {
		// A mutable list: the JSON serializer cannot read JDK immutable collections back (see docs/design.md)
		return new ArrayList<>(this.queries
			.run(() -> this.jdbc.sql("SELECT " + PRODUCT_COLUMNS + " FROM product WHERE category_id = ? ORDER BY id")
				.param(categoryId)
				.query(Product.class)
				.list()));
	}

	void update(Product product) {
		this.queries.run(() -> this.jdbc
			.sql("UPDATE product SET name = ?, category_id = ?, price_cents = ? WHERE id = ?")
			.params(product.name(), product.categoryId(), product.priceCents(), product.id())
			.update());
	}

}
