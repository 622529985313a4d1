package io.github.cachetags.it;

import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.StoredEntries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One bad entry is a miss for its key only: it is removed and reloaded, and every other key keeps hitting (a bad
 * entry is not an outage, so Redis is not skipped).
 */
class BadEntryIT {

	private static RedisCommandsForTests redis;

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withUserConfiguration(CatalogConfiguration.class);

	@BeforeAll
	static void connect() {
		redis = new RedisCommandsForTests(RedisServer.shared());
	}

	@AfterAll
	static void disconnect() {
		redis.close();
	}

	@Test
	void anEntryOfTheWrongRedisTypeIsRemovedAndOnlyItsKeyMisses() {
		this.contexts.run((context) -> {
			Catalog catalog = warm(context);
			redis.sync().del(entry(context, 1));
			redis.sync().hset(entry(context, 1), "v", "not a string");

			assertOnlyKeyOneReloads(context, catalog);
		});
	}

	@Test
	void anEntryWhoseMarksCannotBeReadIsRemovedAndOnlyItsKeyMisses() {
		this.contexts.run((context) -> {
			Catalog catalog = warm(context);
			String stored = redis.sync().get(entry(context, 1));
			redis.sync().set(entry(context, 1), StoredEntries.withMarks(stored, "no newline"));

			assertOnlyKeyOneReloads(context, catalog);
		});
	}

	@Test
	void aValueOfAnotherTypeThanTheMethodDeclaresIsRemovedAndOnlyItsKeyMisses() {
		this.contexts.run((context) -> {
			Catalog catalog = warm(context);
			String stored = redis.sync().get(entry(context, 1));
			redis.sync().set(entry(context, 1), StoredEntries.withValue(stored, "\"a string, not an Item\""));

			assertOnlyKeyOneReloads(context, catalog);
		});
	}

	private static Catalog warm(ApplicationContext context) {
		Catalog catalog = context.getBean(Catalog.class);
		for (long id = 1; id <= 20; id++) {
			catalog.save(new Item(id, "books", 1));
			catalog.product(id);
		}
		assertThat(catalog.loads()).isEqualTo(20);
		return catalog;
	}

	private static void assertOnlyKeyOneReloads(ApplicationContext context, Catalog catalog) {
		assertThat(catalog.product(1)).as("the bad entry reads as a miss").isEqualTo(new Item(1, "books", 1));
		for (long id = 2; id <= 20; id++) {
			catalog.product(id);
		}
		assertThat(catalog.loads()).as("only the bad key was loaded again").isEqualTo(21);
		catalog.product(1);
		assertThat(catalog.loads()).as("and it is cached again").isEqualTo(21);
		assertThat(StoredEntries.value(redis.sync().get(entry(context, 1)))).contains("books");
	}

	private static String entry(ApplicationContext context, long id) {
		String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
		return "{" + prefix + ":_:products:0}:v1:e:" + id;
	}

}
