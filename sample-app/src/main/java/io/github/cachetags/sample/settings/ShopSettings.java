package io.github.cachetags.sample.settings;

import java.util.Map;

/**
 * The shop's settings, by name.
 *
 * @param values each setting's value
 */
public record ShopSettings(Map<String, String> values) {
}
