package io.github.cachetags.it;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCommandsForTests;
import io.github.cachetags.test.RedisServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The order of loads, replacing writes and invalidations holds on the interleavings that lose metadata or race a
 * {@code @CachePut}: a value read from the database before an invalidation is never served after it.
 */
class WriteOrderIT {

	private static RedisCommandsForTests redis;

	private final String prefix = CacheTagsContexts.uniquePrefix();

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withUserConfiguration(LedgerConfiguration.class)
		.withPropertyValues("cachetags.key-prefix=" + this.prefix, "cachetags.caches.rows.cache-null-values=false");

	@BeforeAll
	static void connect() {
		redis = new RedisCommandsForTests(RedisServer.shared());
	}

	@AfterAll
	static void disconnect() {
		redis.close();
	}

	@Test
	void aMarkLostAfterAPurgeAndRecreatedByAnotherWriteStillRefusesALoadThatBeganBeforeThePurge() throws Exception {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.save(new Row(2, "a", 1));
			ledger.row(1);
			context.getBean(CacheManager.class).getCache("rows").evict(1L);
			assertThat(redis.sync().exists(key("m:row:1"))).as("only the group's mark will go missing").isEqualTo(1);
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> slowLoad = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.save(new Row(1, "a", 2));
			context.getBean(CacheTagOperations.class).purge("group:a");
			assertThat(redis.sync().del(key("m:group:a"))).as("the purge's mark, evicted").isEqualTo(1);
			ledger.row(2);
			assertThat(redis.sync().exists(key("m:group:a"))).as("re-created by another write").isEqualTo(1);
			ledger.gate().resume();

			assertThat(slowLoad.get(10, TimeUnit.SECONDS).version()).as("the slow load read the old row").isEqualTo(1);
			assertThat(ledger.row(1).version()).as("but did not store it").isEqualTo(2);
		});
	}

	@Test
	void aShardStampLostAfterAPurgeAndRecreatedByAFreshInstanceStillRefusesALoadThatBeganBeforeIt() throws Exception {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> slowLoad = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.save(new Row(1, "a", 2));
			context.getBean(CacheTagOperations.class).purge("row:1");
			redis.sync().del(key("m:row:1"), key("q"));
			this.contexts.run((fresh) -> {
				Ledger other = fresh.getBean(Ledger.class);
				other.save(new Row(3, "b", 1));
				other.row(3);
			});
			assertThat(redis.sync().exists(key("q"))).as("re-created by the fresh instance").isEqualTo(1);
			ledger.gate().resume();

			assertThat(slowLoad.get(10, TimeUnit.SECONDS).version()).isEqualTo(1);
			assertThat(ledger.row(1).version()).isEqualTo(2);
		});
	}

	@Test
	void aLoadThatBeganBeforeACachePutNeverOverwritesIt() throws Exception {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> slowLoad = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.update(new Row(1, "a", 2));
			ledger.gate().resume();
			assertThat(slowLoad.get(10, TimeUnit.SECONDS).version()).isEqualTo(1);
			int loads = ledger.loads();

			assertThat(ledger.row(1).version()).as("the put's value, not the older load's").isEqualTo(2);
			assertThat(ledger.loads()).as("served from the cache").isEqualTo(loads);
		});
	}

	@Test
	void aLoadThatBeganBeforeACachePutWhoseEntryWasThenEvictedByRedisIsStillRefused() throws Exception {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> slowLoad = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.update(new Row(1, "a", 2));
			assertThat(redis.sync().del(key("e:1"))).as("the put's entry, evicted under memory pressure").isEqualTo(1);
			ledger.gate().resume();
			slowLoad.get(10, TimeUnit.SECONDS);

			assertThat(ledger.row(1).version()).isEqualTo(2);
		});
	}

	@Test
	void aLoadThatBeganBeforeACachePutIsRefusedWhenTheShardStampIsLostMeanwhile() throws Exception {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> slowLoad = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.update(new Row(1, "a", 2));
			redis.sync().del(key("q"));
			ledger.gate().resume();
			slowLoad.get(10, TimeUnit.SECONDS);

			assertThat(ledger.row(1).version()).isEqualTo(2);
		});
	}

	@Test
	void aCachePutRefusedBecauseItsNewTagWasPurgedMeanwhileRemovesTheOldEntry() throws Exception {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.row(1);
			ledger.gate().pauseNext("update");
			CompletableFuture<Row> write = CompletableFuture.supplyAsync(() -> ledger.update(new Row(1, "b", 2)));
			ledger.gate().awaitPaused();

			context.getBean(CacheTagOperations.class).purge("group:b");
			ledger.gate().resume();
			write.get(10, TimeUnit.SECONDS);

			assertThat(redis.sync().exists(key("e:1"))).as("neither the old entry nor the refused put").isZero();
			assertThat(ledger.row(1).version()).isEqualTo(2);
		});
	}

	@Test
	void aCachePutWhoseNullResultCannotBeStoredRemovesTheOldEntry() {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.row(1);

			ledger.remove(1);

			assertThat(ledger.row(1)).as("the row is gone from the database, and from the cache").isNull();
		});
	}

	@Test
	void aCachePutWhoseTagsCannotBeEvaluatedRemovesTheOldEntry() {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.row(1);

			ledger.updateWithBadTag(new Row(1, "a", 2));

			assertThat(ledger.row(1).version()).isEqualTo(2);
		});
	}

	@Test
	void aWaiterNeverTakesAValueThatWasNotStoredAndWhoseLoadBeganBeforeItArrived() throws Exception {
		this.contexts.run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> leader = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();

			ledger.save(new Row(1, "a", 1));
			context.getBean(CacheTagOperations.class).purge("row:1");
			AtomicReference<Row> waiterRead = new AtomicReference<>();
			Thread waiter = new Thread(() -> waiterRead.set(ledger.row(1)));
			waiter.start();
			await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
			ledger.gate().resume();

			assertThat(leader.get(10, TimeUnit.SECONDS)).as("the leader read before the row existed").isNull();
			waiter.join(TimeUnit.SECONDS.toMillis(10));
			assertThat(waiterRead.get()).as("the waiter arrived after the purge: it reads the row").isNotNull();
		});
	}

	private String key(String suffix) {
		return "{" + this.prefix + ":_:rows:0}:v1:" + suffix;
	}

	record Row(long id, String group, int version) implements Serializable {
	}

	/**
	 * Holds the next call of one named point of the ledger until resumed.
	 */
	static final class Gate {

		private volatile @Nullable String point;

		private volatile CountDownLatch paused = new CountDownLatch(0);

		private volatile CountDownLatch resume = new CountDownLatch(0);

		void pauseNext(String point) {
			this.paused = new CountDownLatch(1);
			this.resume = new CountDownLatch(1);
			this.point = point;
		}

		void awaitPaused() throws InterruptedException {
			assertThat(this.paused.await(10, TimeUnit.SECONDS)).as("paused").isTrue();
		}

		void resume() {
			this.resume.countDown();
		}

		void pass(String point) {
			if (!point.equals(this.point)) {
				return;
			}
			this.point = null;
			this.paused.countDown();
			try {
				assertThat(this.resume.await(10, TimeUnit.SECONDS)).isTrue();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	/**
	 * Rows read through the cache and written through it.
	 */
	static class Ledger {

		private final Gate gate = new Gate();

		private final Map<Long, Row> table = new ConcurrentHashMap<>();

		private final AtomicInteger loads = new AtomicInteger();

		void save(Row row) {
			this.table.put(row.id(), row);
		}

		int loads() {
			return this.loads.get();
		}

		Gate gate() {
			return this.gate;
		}

		@Cacheable(cacheNames = "rows", sync = true)
		@CacheTags({ "'row:' + #id", "'group:' + #result?.group()" })
		public @Nullable Row row(long id) {
			this.loads.incrementAndGet();
			Row row = this.table.get(id);
			this.gate.pass("load");
			return row;
		}

		@CachePut(cacheNames = "rows", key = "#row.id()")
		@CacheTags({ "'row:' + #row.id()", "'group:' + #row.group()" })
		public Row update(Row row) {
			this.table.put(row.id(), row);
			this.gate.pass("update");
			return row;
		}

		@CachePut(cacheNames = "rows", key = "#row.id()")
		@CacheTags({ "'row:' + #row.id()", "'caf\u00e9'" })
		public Row updateWithBadTag(Row row) {
			this.table.put(row.id(), row);
			return row;
		}

		@CachePut(cacheNames = "rows", key = "#id")
		public @Nullable Row remove(long id) {
			this.table.remove(id);
			return null;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class LedgerConfiguration {

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

	}

}
