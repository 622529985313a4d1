package io.github.cachetags.sample.catalog;

/**
 * A product of the catalogue.
 *
 * @param id the product's id
 * @param name its name
 * @param categoryId the category it is listed in
 * @param priceCents its price in cents
 */
public record Product(long id, String name, long categoryId, long priceCents) {
}
