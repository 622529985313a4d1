package io.github.cachetags.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.cachetags.test.RedisCluster.Node;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;

import static org.awaitility.Awaitility.await;

/**
 * One hash slot moved from the master serving it to another while clients use it, the way
 * {@code redis-cli --cluster reshard} moves it: {@code CLUSTER SETSLOT <slot> IMPORTING} on the target and
 * {@code MIGRATING} on the source, then {@code MIGRATE <host> <port> "" 0 <timeout> KEYS ...} of the source's keys in
 * the slot, a batch at a time ({@code CLUSTER GETKEYSINSLOT}), then {@code CLUSTER SETSLOT <slot> NODE} on the
 * target, the source and the other masters.
 * <p>
 * A key the target holds already is not overwritten: {@code MIGRATE} answers {@code BUSYKEY} and leaves it on the
 * source, where it would keep the slot from moving (a source refuses {@code SETSLOT NODE} while it holds keys of the
 * slot). Once only such keys are left, a {@link BusyKeys} policy decides what happens to them.
 *
 * @param slot the slot moved
 * @param source the master that served it
 * @param target the master that serves it now
 * @param movedKeys keys moved by {@code MIGRATE}
 * @param batches {@code MIGRATE} calls, one per batch
 * @param busyKeys keys both masters held (settled by the policy)
 * @param time from {@code IMPORTING} until every master names the target as the slot's owner
 */
public record SlotMigration(int slot, Node source, Node target, int movedKeys, int batches, List<String> busyKeys,
		Duration time) {

	/** Bound of each {@code MIGRATE} and of the wait for the masters to agree. */
	private static final Duration TIMEOUT = RedisCluster.STATE_TIMEOUT;

	/**
	 * Moves {@code slot} to {@code target}.
	 * @param batchSize keys per {@code MIGRATE}
	 * @param beforeEachBatch runs before each {@code MIGRATE}, so that a test can let traffic run between batches
	 * @param busyKeys what to do with keys both masters hold
	 */
	public static SlotMigration run(RedisCluster cluster, int slot, Node target, int batchSize,
			Runnable beforeEachBatch, BusyKeys busyKeys) {
		Node source = cluster.owner(slot);
		if (source == target) {
			throw new IllegalArgumentException("Slot " + slot + " is served by " + target + " already");
		}
		long started = System.nanoTime();
		target.commands().clusterSetSlotImporting(slot, source.id());
		source.commands().clusterSetSlotMigrating(slot, target.id());
		int moved = 0;
		int batches = 0;
		List<String> busy = new ArrayList<>();
		while (true) {
			List<String> keys = new ArrayList<>(source.commands().clusterGetKeysInSlot(slot, batchSize + busy.size()));
			keys.removeAll(busy);
			if (keys.isEmpty()) {
				break;
			}
			beforeEachBatch.run();
			batches++;
			List<String> refused = migrate(source, target, keys);
			busy.addAll(refused);
			moved += keys.size() - refused.size();
		}
		if (!busy.isEmpty()) {
			busyKeys.settle(source, target, busy);
		}
		// the target first, so that the slot never lacks an owner that accepts it
		target.commands().clusterSetSlotNode(slot, target.id());
		source.commands().clusterSetSlotNode(slot, target.id());
		for (Node node : cluster.nodes()) {
			if (node != target && node != source) {
				node.commands().clusterSetSlotNode(slot, target.id());
			}
		}
		await("every master names " + target + " as the owner of slot " + slot).atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> cluster.nodes()
				.stream()
				.allMatch((node) -> ClusterPartitionParser.parse(node.commands().clusterNodes())
					.getPartitionBySlot(slot)
					.getUri()
					.getPort() == target.port()));
		return new SlotMigration(slot, source, target, moved, batches, List.copyOf(busy),
				Duration.ofNanos(System.nanoTime() - started));
	}

	/**
	 * Migrates keys with one {@code MIGRATE}.
	 * @return the keys the target refused because it holds them already ({@code BUSYKEY})
	 */
	private static List<String> migrate(Node source, Node target, List<String> keys) {
		try {
			source.commands().migrate(target.host(), target.port(), 0, TIMEOUT.toMillis(),
					MigrateArgs.Builder.keys(keys));
			return List.of();
		}
		catch (RedisCommandExecutionException ex) {
			requireBusyKey(ex);
		}
		// the keys the target accepted have moved; find the others one by one (MIGRATE answers NOKEY for a key that
		// left the source, and is never redirected while the slot migrates)
		List<String> refused = new ArrayList<>();
		for (String key : keys) {
			try {
				source.commands().migrate(target.host(), target.port(), key, 0, TIMEOUT.toMillis());
			}
			catch (RedisCommandExecutionException ex) {
				requireBusyKey(ex);
				refused.add(key);
			}
		}
		return refused;
	}

	private static void requireBusyKey(RedisCommandExecutionException ex) {
		if (!String.valueOf(ex.getMessage()).contains("BUSYKEY")) {
			throw ex;
		}
	}

	/**
	 * What to do with keys of the slot that both the source and the target hold.
	 */
	public enum BusyKeys {

		/** Delete the source's copies and keep the target's ({@code DEL} on the source). */
		DELETE_FROM_SOURCE {

			@Override
			void settle(Node source, Node target, List<String> keys) {
				source.commands().del(keys.toArray(String[]::new));
			}

		},

		/**
		 * Overwrite the target's copies with the source's ({@code MIGRATE ... REPLACE}), as
		 * {@code redis-cli --cluster reshard --cluster-replace} does.
		 */
		REPLACE_ON_TARGET {

			@Override
			void settle(Node source, Node target, List<String> keys) {
				source.commands().migrate(target.host(), target.port(), 0, TIMEOUT.toMillis(),
						MigrateArgs.Builder.keys(keys).replace());
			}

		};

		abstract void settle(Node source, Node target, List<String> keys);

	}

}
