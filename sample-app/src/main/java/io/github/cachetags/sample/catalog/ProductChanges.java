package io.github.cachetags.sample.catalog;

import org.jspecify.annotations.Nullable;

/**
 * The body of {@code PUT /products/{id}}: the product's new state. Every field is required.
 *
 * @param name the new name
 * @param categoryId the category to list it in
 * @param priceCents the new price in cents
 */
public record ProductChanges(@Nullable String name, @Nullable Long categoryId, @Nullable Long priceCents) {
}
