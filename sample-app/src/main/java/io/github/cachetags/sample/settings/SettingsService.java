package io.github.cachetags.sample.settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.sample.database.DatabaseQueries;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Reads the shop's settings through the {@code config} cache, whose entries live a day. Purge the tag
 * {@code config} to reload them sooner.
 */
@Service
public class SettingsService {

	private final JdbcClient jdbc;

	private final DatabaseQueries queries;

	SettingsService(JdbcClient jdbc, DatabaseQueries queries) {
		this.jdbc = jdbc;
		this.queries = queries;
	}

	@Cacheable(cacheNames = "config", sync = true)
	@CacheTags("'config'")
	public ShopSettings settings() {
		List<Map<String, Object>> rows = this.queries
			.run(() -> this.jdbc.sql("SELECT name, content FROM config ORDER BY name").query().listOfRows());
		// A mutable map: the JSON serializer cannot read JDK immutable collections back (see docs/design.md)
		Map<String, String> values = new LinkedHashMap<>();
		rows.forEach((row) -> values.put(String.valueOf(row.get("name")), String.valueOf(row.get("content"))));
		return new ShopSettings(values);
	}

}
