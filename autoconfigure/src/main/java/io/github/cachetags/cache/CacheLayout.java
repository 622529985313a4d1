package io.github.cachetags.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.cachetags.store.Namespace;
import org.jspecify.annotations.Nullable;

/**
 * Where a cache's entries live: its name, namespace version and number of shards. Recorded in the store's
 * registry so that cross-cache purges also reach caches other instances created.
 */
record CacheLayout(String name, int version, int shards) {

	private static final String SEPARATOR = "\t";

	String descriptor() {
		return this.name + SEPARATOR + this.version + SEPARATOR + this.shards;
	}

	static Optional<CacheLayout> parse(String descriptor) {
		String[] parts = descriptor.split(SEPARATOR, -1);
		if (parts.length != 3) {
			return Optional.empty();
		}
		try {
			return Optional.of(new CacheLayout(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2])));
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	Namespace namespaceFor(String prefix, String tenant, String userKey) {
		int shard = (this.shards == 1) ? 0 : Math.floorMod(userKey.hashCode(), this.shards);
		return Namespace.of(prefix, tenant, this.name, this.version, shard);
	}

	/**
	 * The shard index of a user key.
	 */
	int shardOf(String userKey) {
		return (this.shards == 1) ? 0 : Math.floorMod(userKey.hashCode(), this.shards);
	}

	/**
	 * The cache name of a shard namespace of the given prefix and tenant, or {@code null} if it is not one.
	 */
	static @Nullable String nameOf(Namespace shard, String prefix, String tenant) {
		String head = "{" + prefix + ":" + tenant + ":";
		String value = shard.value();
		int close = value.indexOf('}');
		if (!value.startsWith(head) || close < 0) {
			return null;
		}
		String cacheAndShard = value.substring(head.length(), close);
		int colon = cacheAndShard.lastIndexOf(':');
		return (colon > 0) ? cacheAndShard.substring(0, colon) : null;
	}

	List<Namespace> namespaces(String prefix, String tenant) {
		List<Namespace> all = new ArrayList<>(this.shards);
		for (int shard = 0; shard < this.shards; shard++) {
			all.add(Namespace.of(prefix, tenant, this.name, this.version, shard));
		}
		return all;
	}

}
