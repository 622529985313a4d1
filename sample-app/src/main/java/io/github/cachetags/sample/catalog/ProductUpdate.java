package io.github.cachetags.sample.catalog;

/**
 * The outcome of an update: the product as stored, and the category it was in before, whose listing must be
 * purged too when the product moved.
 *
 * @param product the product after the update
 * @param previousCategoryId the category before the update
 */
public record ProductUpdate(Product product, long previousCategoryId) {
}
