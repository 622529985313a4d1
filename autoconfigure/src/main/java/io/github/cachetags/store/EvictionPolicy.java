package io.github.cachetags.store;

import java.util.Locale;
import java.util.Properties;

/**
 * The server's {@code maxmemory-policy}, read from {@code INFO memory} because managed Redis often forbids
 * {@code CONFIG GET}. On a Redis Cluster each master has its own policy (see {@link RedisNodes}).
 * <p>
 * Any policy that evicts keys is safe for CacheTags: losing a tag mark, index, shard stamp key or entry only turns
 * entries into misses. {@code noeviction} is not: when memory is full Redis refuses writes, and a purge cannot
 * replace its tag mark, so stale entries stay readable until they expire.
 *
 * @param name the policy as the server reports it
 * @param maxMemoryBytes the {@code maxmemory} setting, 0 when unlimited
 */
public record EvictionPolicy(String name, long maxMemoryBytes) {

	/** The policy under which purges fail when memory is full. */
	public static final String NO_EVICTION = "noeviction";

	public static EvictionPolicy from(Properties info) {
		String policy = info.getProperty("maxmemory_policy", "unknown").trim().toLowerCase(Locale.ROOT);
		long max = 0;
		try {
			max = Long.parseLong(info.getProperty("maxmemory", "0").trim());
		}
		catch (NumberFormatException ex) {
			// leave unknown as unlimited
		}
		return new EvictionPolicy(policy, max);
	}

	/**
	 * Whether purges keep working when memory runs out.
	 */
	public boolean isSafe() {
		return !NO_EVICTION.equals(this.name);
	}

	/**
	 * An explanation for operators, naming the policy and what to do.
	 */
	public String describe() {
		return describe("Redis maxmemory-policy");
	}

	/**
	 * An explanation for operators, as {@link #describe()} gives, naming the cluster master the policy was read
	 * from.
	 * @param node the master's {@code host:port}
	 */
	public String describeOn(String node) {
		return describe("Redis maxmemory-policy of master " + node);
	}

	private String describe(String subject) {
		if (isSafe()) {
			return subject + " is '" + this.name + "'; evicted cache metadata only causes misses";
		}
		return subject + " is 'noeviction'" + ((this.maxMemoryBytes > 0)
				? " with maxmemory " + this.maxMemoryBytes + " bytes: when memory is full Redis refuses writes,"
						+ " so purges fail and stale entries stay readable until they expire."
				: " without a maxmemory limit: if the host runs out of memory Redis refuses writes and purges fail.")
				+ " Use an evicting policy such as allkeys-lru or volatile-lru for the cache's Redis.";
	}

}
