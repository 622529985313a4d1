package io.github.cachetags.sample.catalog;

import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.annotation.EvictTags;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads of the catalogue through the cache, and the update that purges what it changed.
 * <p>
 * A product is tagged with its own tag and its category's; a category listing with its category's. An update
 * purges the product's tag and the tags of the category it left and the one it joined, after the transaction
 * commits, so every cached copy of the product, in any cache, is gone once the update returns.
 */
@Service
public class CatalogService {

	private final CatalogRepository repository;

	CatalogService(CatalogRepository repository) {
		this.repository = repository;
	}

	@Cacheable(cacheNames = "products", sync = true)
	@CacheTags({ "'product:' + #id", "'category:' + #result.categoryId()" })
	public Product product(long id) {
		return this.repository.findProduct(id).orElseThrow(() -> new NotFoundException("product", id));
	}

	@Cacheable(cacheNames = "category-products", sync = true)
	@CacheTags("'category:' + #categoryId")
	public CategoryProducts categoryProducts(long categoryId) {
		String name = this.repository.findCategoryName(categoryId)
			.orElseThrow(() -> new NotFoundException("category", categoryId));
		return new CategoryProducts(categoryId, name, this.repository.findProductsOfCategory(categoryId));
	}

	@Transactional
	@EvictTags({ "'product:' + #id", "'category:' + #result.previousCategoryId()",
			"'category:' + #result.product().categoryId()" })
	public ProductUpdate update(long id, String name, long categoryId, long priceCents) {
		Product current = this.repository.findProductForUpdate(id)
			.orElseThrow(() -> new NotFoundException("product", id));
		if (!this.repository.categoryExists(categoryId)) {
			throw new UnknownCategoryException(categoryId);
		}
		Product updated = new Product(id, name, categoryId, priceCents);
		this.repository.update(updated);
		return new ProductUpdate(updated, current.categoryId());
	}

}
