package io.github.cachetags.store;

/**
 * Where a load stands in its cache shard's order of invalidations: the shard stamp ({@code n:epoch}) read when
 * the load began, and the Redis time then. A write carrying it is refused if the key or one of its tags was
 * invalidated after that stamp (see {@code stamps.lua}); no clocks of different servers are compared.
 *
 * @param stamp the shard stamp, {@code ""} for "now" or {@code "?"} for unknown
 * @param redisMicros Redis time in microseconds when the stamp was read, 0 if unknown
 * @param sentNanos local {@link System#nanoTime()} before the request that read the stamp was sent: a load's
 * age measured from it is never less than its true age
 */
public record LoadStart(String stamp, long redisMicros, long sentNanos) {

	/** A write the caller vouches for (a programmatic put): ordered as if its load began when it is stored. */
	public static final LoadStart NOW = new LoadStart("", 0, Long.MAX_VALUE);

	/** Redis was not reached when the load began: a load is not stored, a replacing write invalidates. */
	public static final LoadStart UNKNOWN = new LoadStart("?", 0, Long.MAX_VALUE);

	/** Whether Redis was not reached when the load began. */
	public boolean unknown() {
		return this.stamp.equals(UNKNOWN.stamp);
	}

	/** Whether the stamp was read from Redis. */
	public boolean known() {
		return !this.stamp.isEmpty() && !this.stamp.equals(UNKNOWN.stamp);
	}

	/**
	 * Whether a load with this start has taken longer than {@code maxNanos} by now (never for {@link #NOW}).
	 */
	public boolean olderThan(long maxNanos) {
		return known() && System.nanoTime() - this.sentNanos > maxNanos;
	}

}
