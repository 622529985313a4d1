package io.github.cachetags.sample.catalog;

import java.util.List;

/**
 * A category and its products.
 *
 * @param categoryId the category's id
 * @param name the category's name
 * @param products its products, by id
 */
public record CategoryProducts(long categoryId, String name, List<Product> products) {
}
