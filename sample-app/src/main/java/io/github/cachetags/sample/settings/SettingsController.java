package io.github.cachetags.sample.settings;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /config}: the shop's settings.
 */
@RestController
class SettingsController {

	private final SettingsService settings;

	SettingsController(SettingsService settings) {
		this.settings = settings;
	}

	@GetMapping("/config")
	ShopSettings config() {
		return this.settings.settings();
	}

}
