package io.github.cachetags.it;

import java.time.Duration;

import io.github.cachetags.cache.Invalidations;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.TcpProxy;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A purge or eviction that cannot reach Redis from one instance is queued, retried until Redis accepts it, and
 * never silently lost; meanwhile that instance serves nothing it failed to invalidate.
 */
class DurableInvalidationIT {

	private final String prefix = CacheTagsContexts.uniquePrefix();

	@Test
	void aPurgeThatCannotReachRedisIsRetriedUntilEveryInstanceSeesIt() {
		try (TcpProxy proxy = new TcpProxy(RedisServer.shared())) {
			ApplicationContextRunner partitioned = instance().withPropertyValues(proxy.springProperties());
			instance().run((healthy) -> partitioned.run((cut) -> {
				Catalog other = healthy.getBean(Catalog.class);
				Catalog catalog = cut.getBean(Catalog.class);
				Invalidations invalidations = cut.getBean(TagAwareCacheManager.class).getInvalidations();
				other.save(new Item(1, "books", 1));
				catalog.save(new Item(1, "books", 1));
				assertThat(other.product(1).version()).isEqualTo(1);
				assertThat(catalog.product(1).version()).isEqualTo(1);

				proxy.cut();
				other.save(new Item(1, "books", 2));
				catalog.save(new Item(1, "books", 2));
				catalog.touch(1);
				assertThat(invalidations.pending()).as("the purge is queued, not dropped").isEqualTo(1);
				assertThat(catalog.product(1).version()).as("the instance that queued it reads past the cache")
					.isEqualTo(2);
				assertThat(other.product(1).version()).as("the other instance cannot know yet").isEqualTo(1);

				proxy.restore();
				await().atMost(Duration.ofSeconds(30)).until(() -> invalidations.pending() == 0);

				assertThat(other.product(1).version()).as("the retried purge reached every instance").isEqualTo(2);
				assertThat(invalidations.retried()).isEqualTo(1);
			}));
		}
	}

	@Test
	void aCachePutThatCannotReachRedisRemovesTheKeyOnceItCan() {
		try (TcpProxy proxy = new TcpProxy(RedisServer.shared())) {
			ApplicationContextRunner partitioned = instance().withPropertyValues(proxy.springProperties());
			instance().run((healthy) -> partitioned.run((cut) -> {
				Catalog other = healthy.getBean(Catalog.class);
				Catalog catalog = cut.getBean(Catalog.class);
				Invalidations invalidations = cut.getBean(TagAwareCacheManager.class).getInvalidations();
				other.save(new Item(1, "books", 1));
				assertThat(other.product(1).version()).isEqualTo(1);

				proxy.cut();
				other.save(new Item(1, "books", 2));
				catalog.write(new Item(1, "books", 2));
				assertThat(invalidations.pending()).as("the key's removal is queued").isEqualTo(1);

				proxy.restore();
				await().atMost(Duration.ofSeconds(30)).until(() -> invalidations.pending() == 0);

				assertThat(other.product(1).version()).isEqualTo(2);
			}));
		}
	}

	private ApplicationContextRunner instance() {
		return CacheTagsContexts.onRedis(RedisServer.shared())
			.withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("cachetags.key-prefix=" + this.prefix, "spring.data.redis.timeout=300ms",
					"spring.data.redis.connect-timeout=300ms", "cachetags.redis-retry-interval=100ms");
	}

}
