package io.github.cachetags.it;

import java.time.Duration;

import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis outage degrades to uncached calls, never to errors, and the cache is used again when Redis returns.
 */
class RedisOutageIT {

	@Test
	void methodsRunUncachedWhileRedisIsDownAndCachedAgainAfterwards() {
		try (RedisServer server = RedisServer.startProcess()) {
			CacheTagsContexts.onRedis(server)
				.withUserConfiguration(CatalogConfiguration.class)
				.withPropertyValues("spring.data.redis.timeout=300ms", "cachetags.redis-retry-interval=100ms")
				.run((context) -> {
					Catalog catalog = context.getBean(Catalog.class);
					catalog.save(new Item(1, "books", 1));
					catalog.product(1);
					catalog.product(1);
					assertThat(catalog.loads()).isEqualTo(1);

					server.stop();
					for (int i = 0; i < 3; i++) {
						assertThat(catalog.product(1)).isEqualTo(new Item(1, "books", 1));
						catalog.touch(1);
					}
					assertThat(catalog.loads()).as("every call ran the method").isEqualTo(4);

					server.start();
					await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
						int before = catalog.loads();
						catalog.product(1);
						catalog.product(1);
						return catalog.loads() - before <= 1;
					});
				});
		}
	}

}
