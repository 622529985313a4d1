package io.github.cachetags.sample.database;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /stats/db}: how many queries reached the database, to see the cache at work.
 */
@RestController
class DatabaseStatsController {

	private final DatabaseQueries queries;

	DatabaseStatsController(DatabaseQueries queries) {
		this.queries = queries;
	}

	@GetMapping("/stats/db")
	DatabaseStats stats() {
		return new DatabaseStats(this.queries.count());
	}

	/**
	 * The answer of {@code GET /stats/db}.
	 *
	 * @param queries queries run since start-up
	 */
	record DatabaseStats(long queries) {
	}

}
