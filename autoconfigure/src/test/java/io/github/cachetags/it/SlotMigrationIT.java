package io.github.cachetags.it;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.github.cachetags.cache.InvalidationPendingException;
import io.github.cachetags.cache.Invalidations;
import io.github.cachetags.cache.TagAwareCache;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.it.WriteOrderIT.Ledger;
import io.github.cachetags.it.WriteOrderIT.LedgerConfiguration;
import io.github.cachetags.it.WriteOrderIT.Row;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisCluster;
import io.github.cachetags.test.RedisCluster.Node;
import io.github.cachetags.test.SlotMigration;
import io.github.cachetags.test.SlotMigration.BusyKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hash slot of a cache shard moves to another master of a real Redis Cluster ({@link SlotMigration}:
 * {@code CLUSTER SETSLOT}, {@code MIGRATE} in batches) while the cache is used. The cluster is this class's own, so
 * that the slot assignment other tests rely on ({@link RedisCluster#nodeServing}) stays as it was.
 * <p>
 * While the slot migrates, Redis runs a script on the importing master when the key it declares (the entry) is no
 * longer on the source. The scripts reach the shard's other keys by name, so such a call creates the shard's stamp
 * key there while the source still holds its own: the {@code MIGRATE} of that key meets {@code BUSYKEY}, with two
 * different copies. Deleting the source's copy is safe (lost metadata gives misses); overwriting the target's
 * ({@code REPLACE}) drops the invalidations recorded in it.
 */
class SlotMigrationIT {

	static final int ROWS = 40;

	/** Keys per {@code MIGRATE}: few, so that traffic runs between many batches. */
	static final int KEYS_PER_BATCH = 10;

	private static RedisCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start(3);
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@Test
	void migratingTheSlotOfACacheShardDuringTrafficLosesNoPurgeAndFailsNoCall() throws Exception {
		String prefix = CacheTagsContexts.uniquePrefix();
		String namespace = "{" + prefix + ":_:products:0}:v1:";
		int slot = slotOf(namespace);
		Node source = cluster.owner(slot);
		Node target = anotherMaster(slot);
		// a short TTL, so that entries expire and are loaded again while the slot moves
		ApplicationContextRunner instances = contexts(prefix).withUserConfiguration(CatalogConfiguration.class)
			.withPropertyValues("cachetags.caches.products.ttl=1s");
		instances.run((writers) -> instances.run((others) -> {
			Catalog mine = writers.getBean(Catalog.class);
			Catalog theirs = others.getBean(Catalog.class);
			TagAwareCacheManager manager = writers.getBean(TagAwareCacheManager.class);
			Invalidations invalidations = manager.getInvalidations();
			TagAwareCache myProducts = manager.getCache("products");
			TagAwareCache theirProducts = others.getBean(TagAwareCacheManager.class).getCache("products");
			LongAdder queuedPurges = new LongAdder();
			CatalogTraffic traffic = new CatalogTraffic(ROWS, mine, theirs);
			traffic.check();
			traffic.readers(mine, 2, true).readers(theirs, 2, false).writer(mine, (id) -> {
				try {
					manager.purge("product:" + id);
				}
				catch (InvalidationPendingException ex) {
					queuedPurges.increment();
				}
			}, invalidations::pending);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> myProducts.getStatistics().hits() > 50 && theirProducts.getStatistics().hits() > 50);

			SlotMigration migration = SlotMigration.run(cluster, slot, target, KEYS_PER_BATCH,
					() -> traffic.awaitProgress(50, 2), BusyKeys.DELETE_FROM_SOURCE);
			long migrated = System.nanoTime();
			long hitsAtMigration = myProducts.getStatistics().hits();
			await("hits on the writer's instance again").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> myProducts.getStatistics().hits() > hitsAtMigration);
			long hitsAgainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - migrated);
			traffic.awaitProgress(1000, 20);
			traffic.stop();
			await("queued invalidations sent").atMost(Duration.ofSeconds(30))
				.until(() -> invalidations.retry() && invalidations.pending() == 0);

			System.out.printf("[slot migration] slot %d from %s to %s: %d keys in %d MIGRATE batches in %d ms, on"
					+ " both masters %s; %d reads, %d purges (%d queued), %d puts, %d failed calls, %d stale reads,"
					+ " %d Redis errors, %d refused puts, %d invalidations retried; writer's instance hits again %d"
					+ " ms after the migration%n", slot, migration.source(), migration.target(),
					migration.movedKeys(), migration.batches(), migration.time().toMillis(),
					migration.busyKeys().stream().map((key) -> key.substring(namespace.length())).toList(),
					traffic.reads.sum(), traffic.purges.sum(), queuedPurges.sum(), traffic.puts.sum(),
					traffic.failures.size(), traffic.stale.size(),
					myProducts.getStatistics().errors() + theirProducts.getStatistics().errors(),
					myProducts.getStatistics().refusedPuts() + theirProducts.getStatistics().refusedPuts(),
					invalidations.retried(), hitsAgainMillis);
			assertThat(traffic.failures).as("failed calls").isEmpty();
			assertThat(traffic.stale).as("stale reads: %s", traffic.staleSample()).isEmpty();
			assertThat(migration.busyKeys()).as("entries are never on both masters")
				.noneMatch((key) -> key.startsWith(namespace + "e:"));
			assertThat(source.commands().clusterCountKeysInSlot(slot)).as("keys left on the source").isZero();
			for (long id = 0; id < ROWS; id++) {
				assertThat(mine.product(id).version()).as("row %d, mine", id).isEqualTo(traffic.version(id));
				assertThat(theirs.product(id).version()).as("row %d, theirs", id).isEqualTo(traffic.version(id));
			}

			Item next = new Item(7, CatalogTraffic.CATEGORY, (int) traffic.version(7) + 1);
			mine.save(next);
			theirs.save(next);
			String entry = namespace + "e:7";
			assertThat(target.commands().exists(entry)).as("the entry, on the new master").isEqualTo(1);
			manager.purge("product:7");
			await("the purge's drain on the new master").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> target.commands().exists(entry) == 0);
			assertThat(mine.product(7).version()).isEqualTo(next.version());
			assertThat(theirs.product(7).version()).isEqualTo(next.version());
		}));
	}

	@Test
	void aLoadBegunBeforeAPutRunOnTheImportingMasterIsNotStoredWhenTheSourcesStampKeyIsDropped() throws Exception {
		aLoadBegunBeforeAPutRunOnTheImportingMasterIsNotStored(BusyKeys.DELETE_FROM_SOURCE);
	}

	@Test
	void aLoadBegunBeforeAPutRunOnTheImportingMasterIsNotStoredWhenTheMigrationReplacesKeys() throws Exception {
		aLoadBegunBeforeAPutRunOnTheImportingMasterIsNotStored(BusyKeys.REPLACE_ON_TARGET);
	}

	/**
	 * A load reads its start (a miss) on the source before the migration; during the migration a
	 * {@code @CachePut} of the same key runs on the importing master, since the key has no entry on the source;
	 * then the migration ends and the load finishes. The put returned first, so the load must not be stored. The
	 * put's script declares the shard's stamp key, which is still on the source: Redis answers {@code TRYAGAIN},
	 * the put removes the key instead (queued until the slot has moved), and no key ends up on both masters,
	 * whichever way the migration settles them.
	 */
	private void aLoadBegunBeforeAPutRunOnTheImportingMasterIsNotStored(BusyKeys busyKeys) throws Exception {
		String prefix = CacheTagsContexts.uniquePrefix();
		String namespace = "{" + prefix + ":_:rows:0}:v1:";
		int slot = slotOf(namespace);
		Node target = anotherMaster(slot);
		contexts(prefix).withUserConfiguration(LedgerConfiguration.class).run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			ledger.save(new Row(1, "a", 1));
			ledger.gate().pauseNext("load");
			CompletableFuture<Row> load = CompletableFuture.supplyAsync(() -> ledger.row(1));
			ledger.gate().awaitPaused();
			AtomicBoolean put = new AtomicBoolean();

			SlotMigration migration = SlotMigration.run(cluster, slot, target, KEYS_PER_BATCH, () -> {
				if (put.compareAndSet(false, true)) {
					ledger.update(new Row(1, "a", 2));
				}
			}, busyKeys);
			ledger.gate().resume();

			assertThat(load.get(10, TimeUnit.SECONDS).version()).as("the load read the old row").isEqualTo(1);
			assertThat(migration.busyKeys())
				.as("keys on both masters: a script declares the stamp key, so it never runs on a half-moved shard")
				.isEmpty();
			assertThat(ledger.row(1).version()).as("the put's value, or a miss; never the older load's")
				.isEqualTo(2);
		});
	}

	private static ApplicationContextRunner contexts(String prefix) {
		return CacheTagsContexts.onCluster(cluster)
			.withPropertyValues("cachetags.key-prefix=" + prefix, "spring.data.redis.timeout=5s",
					"cachetags.redis-retry-interval=100ms");
	}

	private static int slotOf(String key) {
		return cluster.nodes().get(0).commands().clusterKeyslot(key).intValue();
	}

	private static Node anotherMaster(int slot) {
		Node owner = cluster.owner(slot);
		return cluster.nodes().stream().filter((node) -> node != owner).findFirst().orElseThrow();
	}

}
