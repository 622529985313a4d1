package io.github.cachetags.store;

import java.nio.charset.StandardCharsets;

/**
 * The Redis key prefix of one cache shard: {@code {prefix:tenant:cache:shard}:v<version>:}.
 * <p>
 * The braces make every key of the shard (entries, tag marks, tag indexes, the stamp key) hash to one slot, so
 * one script may touch them together, also on a cluster. Only the first {@code {...}} of a key decides its slot,
 * and the namespace comes first, so braces in user keys or tags cannot move an entry.
 *
 * @param value the prefix every key of the shard starts with
 */
public record Namespace(String value) {

	/** Tenant segment used when no tenant is in effect. */
	public static final String NO_TENANT = "_";

	public static Namespace of(String prefix, String tenant, String cacheName, int version, int shard) {
		return new Namespace("{" + prefix + ":" + tenant + ":" + cacheName + ":" + shard + "}:v" + version + ":");
	}

	public byte[] bytes() {
		return bytes(this.value);
	}

	public byte[] entryKey(String userKey) {
		return bytes(this.value + "e:" + userKey);
	}

	public byte[] leaseKey(String userKey) {
		return bytes(this.value + "l:" + userKey);
	}

	public byte[] markKey(String tag) {
		return bytes(this.value + "m:" + tag);
	}

	public byte[] indexKey(String tag) {
		return bytes(this.value + "i:" + tag);
	}

	/** The shard's stamp key: epoch and invalidation counters (see {@code stamps.lua}). */
	public byte[] stampKey() {
		return bytes(this.value + "q");
	}

	byte[] drainKey(String token) {
		return bytes(this.value + "d:" + token);
	}

	static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
