package io.github.cachetags.actuate.health;

import java.util.Properties;

import io.github.cachetags.store.EvictionPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;

/**
 * How full Redis's memory is, and how many keys it could never evict under a {@code volatile-*} policy (keys
 * without a TTL): when those fill {@code maxmemory}, Redis refuses writes and purges with OOM although the policy
 * evicts.
 *
 * @param usedRatio used memory over {@code maxmemory}, or -1 without a limit
 * @param keysWithoutTtl keys without a TTL, or -1 if unknown
 */
record MemoryPressure(double usedRatio, long keysWithoutTtl) {

	/** From this share of {@code maxmemory} on, keys Redis cannot evict are a risk to writes. */
	static final double NEARLY_FULL = 0.95;

	static MemoryPressure read(Properties memory, @Nullable Properties keyspace) {
		long used = number(memory.getProperty("used_memory"));
		long max = number(memory.getProperty("maxmemory"));
		double ratio = (used >= 0 && max > 0) ? (double) used / max : -1;
		return new MemoryPressure(ratio, (keyspace != null) ? keysWithoutTtl(keyspace) : -1);
	}

	/**
	 * Whether Redis is about to refuse writes, or already does: nearly full under a {@code volatile-*} policy
	 * with keys it cannot evict.
	 */
	boolean writesRefused(EvictionPolicy policy) {
		return policy.name().startsWith("volatile-") && this.usedRatio >= NEARLY_FULL && this.keysWithoutTtl > 0;
	}

	String describe(EvictionPolicy policy) {
		return String.format("Redis uses %.0f%% of maxmemory under '%s' and holds %d keys without a TTL, which that"
				+ " policy never evicts: once memory is full Redis refuses writes and purges (OOM), and purged"
				+ " entries stay readable until they expire. Give those keys a TTL, move them to another Redis, or"
				+ " use an allkeys-* policy.", this.usedRatio * 100, policy.name(), this.keysWithoutTtl);
	}

	void addDetails(Health.Builder builder) {
		if (this.usedRatio >= 0) {
			builder.withDetail("memoryUsedRatio", Math.round(this.usedRatio * 1000) / 1000.0);
		}
		if (this.keysWithoutTtl >= 0) {
			builder.withDetail("keysWithoutTtl", this.keysWithoutTtl);
		}
	}

	/** Sums {@code keys - expires} over the {@code db<n>:keys=..,expires=..} lines of {@code INFO keyspace}. */
	private static long keysWithoutTtl(Properties keyspace) {
		long total = 0;
		for (String name : keyspace.stringPropertyNames()) {
			if (!name.startsWith("db")) {
				continue;
			}
			long keys = 0;
			long expires = 0;
			for (String field : keyspace.getProperty(name).split(",")) {
				String[] pair = field.split("=", 2);
				if (pair.length == 2 && pair[0].trim().equals("keys")) {
					keys = number(pair[1]);
				}
				else if (pair.length == 2 && pair[0].trim().equals("expires")) {
					expires = number(pair[1]);
				}
			}
			total += Math.max(0, keys - expires);
		}
		return total;
	}

	private static long number(@Nullable String value) {
		if (value == null) {
			return -1;
		}
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
