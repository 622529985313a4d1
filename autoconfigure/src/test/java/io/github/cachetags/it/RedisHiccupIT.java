package io.github.cachetags.it;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis stops answering for a while (clients paused, or the process killed with {@code kill -9} and restarted):
 * no call fails, each waits at most about the command timeout, and the cache is used again after recovery.
 */
class RedisHiccupIT {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	@Test
	void clientPauseCostsNoCallAndTheCacheIsUsedAgainAfterIt() {
		try (RedisServer server = RedisServer.startProcess()) {
			contexts(server).run((context) -> {
				Catalog catalog = context.getBean(Catalog.class);
				catalog.save(new Item(1, "books", 1));
				catalog.product(1);
				try (RedisCommandsForTests redis = new RedisCommandsForTests(server)) {
					CompletableFuture<String> paused = redis.async()
						.dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
								new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(2000))
						.toCompletableFuture();
					paused.get();
					long slowest = 0;
					for (int i = 0; i < 5; i++) {
						long started = System.nanoTime();
						assertThat(catalog.product(1)).isEqualTo(new Item(1, "books", 1));
						slowest = Math.max(slowest, System.nanoTime() - started);
					}
					long recovered = awaitHitsAgain(catalog);
					System.out.printf("[hiccup] CLIENT PAUSE 2 s: slowest call %d ms (timeout %d ms), hits again"
							+ " %d ms after the five calls made during the pause%n", slowest / 1_000_000,
							TIMEOUT.toMillis(), recovered);
				}
			});
		}
	}

	@Test
	void killMinusNineAndRestartCostsNoCallAndTheCacheIsUsedAgain() {
		try (RedisServer server = RedisServer.startProcess()) {
			contexts(server).run((context) -> {
				Catalog catalog = context.getBean(Catalog.class);
				catalog.save(new Item(1, "books", 1));
				catalog.product(1);

				server.kill();
				long slowest = 0;
				for (int i = 0; i < 5; i++) {
					long started = System.nanoTime();
					assertThat(catalog.product(1)).isEqualTo(new Item(1, "books", 1));
					slowest = Math.max(slowest, System.nanoTime() - started);
				}
				server.start();
				long recovered = awaitHitsAgain(catalog);
				System.out.printf("[hiccup] kill -9 and restart: slowest call while down %d ms (timeout %d ms),"
						+ " hits again %d ms after the restart%n", slowest / 1_000_000, TIMEOUT.toMillis(), recovered);
			});
		}
	}

	/**
	 * Waits until two reads in a row cost at most one load, and returns how long that took in milliseconds.
	 */
	private static long awaitHitsAgain(Catalog catalog) {
		long started = System.nanoTime();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
			int before = catalog.loads();
			catalog.product(1);
			catalog.product(1);
			return catalog.loads() - before <= 1;
		});
		return (System.nanoTime() - started) / 1_000_000;
	}

	private static ApplicationContextRunner contexts(RedisServer server) {
		return CacheTagsContexts.onRedis(server)
			.withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("spring.data.redis.timeout=" + TIMEOUT.toMillis() + "ms",
					"spring.data.redis.connect-timeout=" + TIMEOUT.toMillis() + "ms",
					"cachetags.redis-retry-interval=100ms");
	}

}
