package io.github.cachetags.it;

import java.time.Duration;

import io.github.cachetags.autoconfigure.CacheTagsProperties;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.StoredEntries;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TTLs, versions and serializers from properties land on the Redis keys.
 */
class TtlAndSerializationIT {

	private static RedisCommandsForTests redis;

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withUserConfiguration(CatalogConfiguration.class)
		.withPropertyValues("cachetags.default-ttl=7m", "cachetags.caches.products.ttl=60s",
				"cachetags.caches.config.ttl=24h");

	@BeforeAll
	static void connect() {
		redis = new RedisCommandsForTests(RedisServer.shared());
	}

	@AfterAll
	static void disconnect() {
		redis.close();
	}

	@Test
	void perCacheAndDefaultTtlsLandOnTheKeys() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);
			catalog.config("currency");
			catalog.plain(1);

			assertThat(redis.sync().pttl(key(context, "products", 1, "1"))).isBetween(55_000L, 60_000L);
			assertThat(redis.sync().pttl(key(context, "config", 1, "currency")))
				.isBetween(Duration.ofHours(24).minusSeconds(5).toMillis(), Duration.ofHours(24).toMillis());
			assertThat(redis.sync().pttl(key(context, "plain", 1, "1")))
				.isBetween(Duration.ofMinutes(7).minusSeconds(5).toMillis(), Duration.ofMinutes(7).toMillis());
		});
	}

	@Test
	void clearReachesEveryVersionOfTheCacheStillInUse() {
		String prefix = CacheTagsContexts.uniquePrefix();
		ApplicationContextRunner shared = this.contexts.withPropertyValues("cachetags.key-prefix=" + prefix);
		shared.run((old) -> shared.withPropertyValues("cachetags.caches.products.version=2").run((bumped) -> {
			Catalog oldCatalog = old.getBean(Catalog.class);
			oldCatalog.save(new Item(1, "books", 1));
			oldCatalog.product(1);
			assertThat(redis.sync().exists(key(old, "products", 1, "1"))).isEqualTo(1);

			bumped.getBean(org.springframework.cache.CacheManager.class).getCache("products").clear();

			int loads = oldCatalog.loads();
			oldCatalog.product(1);
			assertThat(oldCatalog.loads()).as("an instance still on version 1 loses its entries too")
				.isEqualTo(loads + 1);
			bumped.getBean(org.springframework.cache.CacheManager.class).getCache("products").clear();
			await("the clear's sweep of version 1").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> redis.sync().exists(key(old, "products", 1, "1")) == 0);
		}));
	}

	@Test
	void bumpingTheVersionAbandonsTheOldNamespace() {
		String prefix = CacheTagsContexts.uniquePrefix();
		ApplicationContextRunner shared = this.contexts.withPropertyValues("cachetags.key-prefix=" + prefix);
		shared.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);
		});
		shared.withPropertyValues("cachetags.caches.products.version=2").run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			catalog.save(new Item(1, "books", 2));

			assertThat(catalog.product(1).version()).isEqualTo(2);
			assertThat(catalog.loads()).isEqualTo(1);
			assertThat(redis.sync().exists(key(context, "products", 2, "1"))).isEqualTo(1);
		});
	}

	@Test
	void jsonValuesAreReadableByOtherClientsAndReadBack() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			catalog.save(new Item(1, "books", 3));
			catalog.product(1);

			String json = StoredEntries.value(redis.sync().get(key(context, "products", 1, "1")));

			assertThat(json).contains("\"category\":\"books\"").contains("\"version\":3");
			assertThat(catalog.product(1)).isEqualTo(new Item(1, "books", 3));
			assertThat(catalog.loads()).isEqualTo(1);
		});
	}

	@Test
	void jdkSerializationIsAnOption() {
		this.contexts.withPropertyValues("cachetags.serializer=jdk").run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			String first = catalog.plain(5);

			assertThat(catalog.plain(5)).isEqualTo(first);
			assertThat(catalog.loads()).isEqualTo(1);
			assertThat(StoredEntries.value(redis.sync().get(key(context, "plain", 1, "5")))).doesNotContain("\"");
		});
	}

	@Test
	void bracesInKeysCannotMoveAnEntrysSlot() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			catalog.config("{other}");

			String entry = key(context, "config", 1, "{other}");
			String mark = "{" + context.getBean(CacheTagsProperties.class).getKeyPrefix() + ":_:config:0}:v1:m:";
			assertThat(redis.sync().exists(entry)).isEqualTo(1);
			assertThat(SlotHash.getSlot(entry)).isEqualTo(SlotHash.getSlot(mark));
		});
	}

	private static String key(ApplicationContext context, String cache, int version, String userKey) {
		String prefix = context.getBean(CacheTagsProperties.class).getKeyPrefix();
		return "{" + prefix + ":_:" + cache + ":0}:v" + version + ":e:" + userKey;
	}

}
