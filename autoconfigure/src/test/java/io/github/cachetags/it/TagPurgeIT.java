package io.github.cachetags.it;

import java.util.Map;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.tags.InvalidTagException;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.RoundTripCounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Purge by tag through annotated methods, against a real Redis.
 */
class TagPurgeIT {

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
	void purgeRemovesExactlyTheTaggedEntriesAcrossCachesAndCountsThem() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);
			warm(catalog);
			int loadsBefore = catalog.loads();

			long removed = operations.purge("category:books");

			// products 1 and 2 (books) and the books listing: 3 entries in 2 caches
			assertThat(removed).isEqualTo(3);
			catalog.product(3);
			catalog.listing("toys");
			catalog.plain(1);
			assertThat(catalog.loads()).as("entries of other tags and untagged entries stay").isEqualTo(loadsBefore);
			catalog.product(1);
			catalog.product(2);
			catalog.listing("books");
			assertThat(catalog.loads()).as("every purged entry is loaded again").isEqualTo(loadsBefore + 3);
		});
	}

	@Test
	void purgeOfOneCacheLeavesTheSameTagInOtherCaches() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			warm(catalog);
			int loadsBefore = catalog.loads();

			long removed = context.getBean(CacheTagOperations.class).purge("listings", "category:books");

			assertThat(removed).isEqualTo(1);
			catalog.product(1);
			assertThat(catalog.loads()).isEqualTo(loadsBefore);
			catalog.listing("books");
			assertThat(catalog.loads()).isEqualTo(loadsBefore + 1);
		});
	}

	@Test
	void aPurgeReachesACacheOnlyAnotherInstanceCreatedEvenWhenTheRegistryWasLost() {
		ApplicationContextRunner instances = this.contexts
			.withPropertyValues("cachetags.key-prefix=" + CacheTagsContexts.uniquePrefix());
		instances.run((first) -> instances.run((second) -> {
			Catalog mine = first.getBean(Catalog.class);
			Catalog theirs = second.getBean(Catalog.class);
			mine.save(new Item(1, "books", 1));
			theirs.save(new Item(1, "books", 1));
			mine.product(1);
			assertThat(theirs.listing("books")).containsExactly(1L);
			String prefix = first.getBean(TagAwareCacheManager.class).getKeyPrefix();
			assertThat(redis.sync().del(prefix + ":layouts")).as("the registry, lost").isEqualTo(1);

			first.getBean(CacheTagOperations.class).purge("category:books");

			theirs.save(new Item(2, "books", 1));
			assertThat(theirs.listing("books")).as("purged in the other instance's cache too").containsExactly(1L, 2L);
		}));
	}

	@Test
	void aPurgeStillScansWhenTheScheduledRecordingSawTheRegistryLossFirst() {
		ApplicationContextRunner instances = this.contexts
			.withPropertyValues("cachetags.key-prefix=" + CacheTagsContexts.uniquePrefix());
		instances.run((first) -> instances.run((second) -> {
			Catalog mine = first.getBean(Catalog.class);
			Catalog theirs = second.getBean(Catalog.class);
			mine.save(new Item(1, "books", 1));
			theirs.save(new Item(1, "books", 1));
			mine.product(1);
			assertThat(theirs.listing("books")).containsExactly(1L);
			TagAwareCacheManager manager = first.getBean(TagAwareCacheManager.class);
			redis.sync().del(manager.getKeyPrefix() + ":layouts");
			assertThat(manager.getInvalidations().registerAll()).as("the periodic recording sees the loss").isTrue();

			first.getBean(CacheTagOperations.class).purge("category:books");

			theirs.save(new Item(2, "books", 1));
			assertThat(theirs.listing("books")).containsExactly(1L, 2L);
		}));
	}

	@Test
	void countReportsEntriesPerCache() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			warm(catalog);

			Map<String, Long> counts = context.getBean(CacheTagOperations.class).count("category:books");

			assertThat(counts).containsEntry("products", 2L).containsEntry("listings", 1L);
		});
	}

	@Test
	void evictTagsPurgesAfterTheMethodReturns() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			warm(catalog);
			int loadsBefore = catalog.loads();

			catalog.touch(1);

			catalog.product(1);
			catalog.product(2);
			assertThat(catalog.loads()).isEqualTo(loadsBefore + 1);
		});
	}

	@Test
	void cachePutStoresTaggedEntriesThatPurgesReach() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			catalog.write(new Item(9, "games", 2));
			int loadsBefore = catalog.loads();
			assertThat(catalog.product(9).version()).isEqualTo(2);
			assertThat(catalog.loads()).as("@CachePut stored the entry").isEqualTo(loadsBefore);

			assertThat(context.getBean(CacheTagOperations.class).purge("category:games")).isEqualTo(1);

			catalog.product(9);
			assertThat(catalog.loads()).isEqualTo(loadsBefore + 1);
		});
	}

	@Test
	void clearEmptiesOnlyItsCache() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			warm(catalog);
			int loadsBefore = catalog.loads();

			catalog.clearProducts();

			catalog.listing("books");
			assertThat(catalog.loads()).isEqualTo(loadsBefore);
			catalog.product(1);
			assertThat(catalog.loads()).isEqualTo(loadsBefore + 1);
		});
	}

	@Test
	void singleKeyEvictRemovesTheEntry() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			String first = catalog.plain(7);
			assertThat(catalog.plain(7)).isEqualTo(first);

			catalog.evictPlain(7);

			assertThat(catalog.plain(7)).isNotEqualTo(first);
		});
	}

	@Test
	void globCharactersInATagAreLiterals() {
		this.contexts.run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);
			warm(catalog);
			int loadsBefore = catalog.loads();

			assertThat(operations.purge("category:*")).isZero();
			assertThat(operations.purge("*")).isZero();
			assertThat(operations.purge("category:?ooks")).isZero();

			catalog.product(1);
			catalog.listing("books");
			assertThat(catalog.loads()).isEqualTo(loadsBefore);
		});
	}

	@Test
	void invalidTagsAreRefusedBeforeRedisIsTouched() {
		this.contexts.run((context) -> {
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);

			assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> operations.purge(""))
				.withMessageContaining("empty");
			assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> operations.purge("x".repeat(257)))
				.withMessageContaining("at most 256");
			assertThatExceptionOfType(InvalidTagException.class).isThrownBy(() -> operations.purge("caf\u00e9"))
				.withMessageContaining("printable ASCII");
		});
	}

	@Test
	void aHitIsOneRoundTrip() {
		this.contexts.withBean(RoundTripCounter.class, RoundTripCounter::new).run((context) -> {
			Catalog catalog = seeded(context.getBean(Catalog.class));
			RoundTripCounter counter = context.getBean(RoundTripCounter.class);
			catalog.product(1);
			catalog.product(1);
			long before = counter.commands();

			catalog.product(1);

			assertThat(counter.commands() - before).isEqualTo(1);
			assertThat(context.getBean(TagAwareCacheManager.class).getCaches().get("products").getStatistics().hits())
				.isEqualTo(2);
		});
	}

	private static Catalog seeded(Catalog catalog) {
		catalog.save(new Item(1, "books", 1));
		catalog.save(new Item(2, "books", 1));
		catalog.save(new Item(3, "toys", 1));
		return catalog;
	}

	private static void warm(Catalog catalog) {
		for (long id = 1; id <= 3; id++) {
			catalog.product(id);
		}
		catalog.listing("books");
		catalog.listing("toys");
		catalog.plain(1);
	}

}
