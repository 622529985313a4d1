package io.github.cachetags.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of CacheTags. Settings under {@code cachetags.caches.<name>} override the defaults above them for
 * that cache; a setting left out there takes the default.
 */
@ConfigurationProperties(prefix = "cachetags", ignoreUnknownFields = false)
public class CacheTagsProperties {

	/**
	 * Whether to auto-configure the tag-aware cache manager.
	 */
	private boolean enabled = true;

	/**
	 * Prefix of every Redis key CacheTags writes. Letters, digits, '.', '_' and '-'.
	 */
	private String keyPrefix = "ct";

	/**
	 * Time to live of entries of caches that set no ttl of their own.
	 */
	private Duration defaultTtl = Duration.ofMinutes(10);

	/**
	 * Whether null results are cached by default.
	 */
	private boolean cacheNullValues = true;

	/**
	 * Number of hash slots each cache is spread over by default; a purge touches each of them. Raise it on a
	 * cluster for caches too large or too hot for one node.
	 */
	private int shards = 1;

	/**
	 * Whether caches not listed under 'caches' are created on first use with the defaults.
	 */
	private boolean dynamic = true;

	/**
	 * Format of stored values.
	 */
	private Serializer serializer = Serializer.JSON;

	/**
	 * Longest a load may take for its value to be stored. A purge, clear or eviction refuses, for this long,
	 * values whose load began before it; a value whose load took longer is not stored at all.
	 */
	private Duration maxLoadTime = Duration.ofSeconds(30);

	/**
	 * Most entries one purge step removes; each step is one short script call.
	 */
	private int purgeBatchSize = 200;

	/**
	 * How long a purge, eviction or replacing write waits for a replica to acknowledge it (Redis WAIT) when the
	 * server has replicas, so that it survives a failover. One not acknowledged in time is queued and retried. 0
	 * does not wait (an invalidation may then be lost in a failover). Not applied on Redis Cluster.
	 */
	private Duration replicationWait = Duration.ofMillis(100);

	/**
	 * How long to go without Redis after it failed before trying again. Meanwhile reads are misses and writes
	 * are dropped.
	 */
	private Duration redisRetryInterval = Duration.ofSeconds(1);

	/**
	 * What to do at start-up when Redis's maxmemory-policy (on a cluster, any master's) is 'noeviction', under
	 * which purges fail once memory is full.
	 */
	private PolicyCheck evictionPolicyCheck = PolicyCheck.WARN;

	/**
	 * Per-cache settings, by cache name. Listed caches are created at start-up.
	 */
	private Map<String, CacheSpec> caches = new LinkedHashMap<>();

	private final Metrics metrics = new Metrics();

	private final CoalescingSpec coalescing = new CoalescingSpec();

	private final FreshnessProperties freshness = new FreshnessProperties();

	private final LocalProperties local = new LocalProperties();

	private final RefreshScheduling refresh = new RefreshScheduling();

	private final Health health = new Health();

	private final Json json = new Json();

	private final Cluster cluster = new Cluster();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public Duration getDefaultTtl() {
		return this.defaultTtl;
	}

	public void setDefaultTtl(Duration defaultTtl) {
		this.defaultTtl = defaultTtl;
	}

	public boolean isCacheNullValues() {
		return this.cacheNullValues;
	}

	public void setCacheNullValues(boolean cacheNullValues) {
		this.cacheNullValues = cacheNullValues;
	}

	public int getShards() {
		return this.shards;
	}

	public void setShards(int shards) {
		this.shards = shards;
	}

	public boolean isDynamic() {
		return this.dynamic;
	}

	public void setDynamic(boolean dynamic) {
		this.dynamic = dynamic;
	}

	public Serializer getSerializer() {
		return this.serializer;
	}

	public void setSerializer(Serializer serializer) {
		this.serializer = serializer;
	}

	public Duration getReplicationWait() {
		return this.replicationWait;
	}

	public void setReplicationWait(Duration replicationWait) {
		this.replicationWait = replicationWait;
	}

	public Duration getMaxLoadTime() {
		return this.maxLoadTime;
	}

	public void setMaxLoadTime(Duration maxLoadTime) {
		this.maxLoadTime = maxLoadTime;
	}

	public int getPurgeBatchSize() {
		return this.purgeBatchSize;
	}

	public void setPurgeBatchSize(int purgeBatchSize) {
		this.purgeBatchSize = purgeBatchSize;
	}

	public Duration getRedisRetryInterval() {
		return this.redisRetryInterval;
	}

	public void setRedisRetryInterval(Duration redisRetryInterval) {
		this.redisRetryInterval = redisRetryInterval;
	}

	public PolicyCheck getEvictionPolicyCheck() {
		return this.evictionPolicyCheck;
	}

	public void setEvictionPolicyCheck(PolicyCheck evictionPolicyCheck) {
		this.evictionPolicyCheck = evictionPolicyCheck;
	}

	public Map<String, CacheSpec> getCaches() {
		return this.caches;
	}

	public void setCaches(Map<String, CacheSpec> caches) {
		this.caches = caches;
	}

	public CoalescingSpec getCoalescing() {
		return this.coalescing;
	}

	public FreshnessProperties getFreshness() {
		return this.freshness;
	}

	public LocalProperties getLocal() {
		return this.local;
	}

	public RefreshScheduling getRefresh() {
		return this.refresh;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Health getHealth() {
		return this.health;
	}

	public Json getJson() {
		return this.json;
	}

	public Cluster getCluster() {
		return this.cluster;
	}

	/**
	 * Coalescing of concurrent misses on one key.
	 */
	public static class CoalescingSpec {

		/**
		 * Which reads are coalesced: 'all' makes every @Cacheable that can be synchronized behave as
		 * @Cacheable(sync = true); 'sync-only' coalesces only @Cacheable(sync = true) and Cache.get(key, loader).
		 */
		private CoalescingMode mode = CoalescingMode.ALL;

		/**
		 * Whether concurrent misses on one key load once, across threads and instances.
		 */
		private boolean enabled = true;

		/**
		 * How long one instance may load a key before the others stop waiting and load it themselves. Longer
		 * than a typical load.
		 */
		private Duration leaseTime = Duration.ofSeconds(10);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getLeaseTime() {
			return this.leaseTime;
		}

		public void setLeaseTime(Duration leaseTime) {
			this.leaseTime = leaseTime;
		}

		public CoalescingMode getMode() {
			return this.mode;
		}

		public void setMode(CoalescingMode mode) {
			this.mode = mode;
		}

	}

	/**
	 * Which reads are coalesced.
	 */
	public enum CoalescingMode {

		/**
		 * Only @Cacheable(sync = true), Cache.get(key, loader) and Cache.retrieve(key, loader).
		 */
		SYNC_ONLY,

		/**
		 * Also every other @Cacheable that names one cache, has no 'unless' and is the method's only cache
		 * operation: Spring's conditions for sync = true.
		 */
		ALL

	}

	/**
	 * The background refresher shared by every cache.
	 */
	public static class RefreshScheduling {

		/**
		 * How often registered keys are checked for a refresh (with random jitter of up to a fifth either way).
		 */
		private Duration interval = Duration.ofSeconds(1);

		/**
		 * Most keys registered for refresh at once; reads of further keys are not refreshed ahead.
		 */
		private int maxKeys = 10_000;

		/**
		 * Threads that run refreshes.
		 */
		private int threads = 2;

		/**
		 * Refreshes waiting for a thread before further ones are rejected (counted and skipped).
		 */
		private int queueCapacity = 1_000;

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public int getMaxKeys() {
			return this.maxKeys;
		}

		public void setMaxKeys(int maxKeys) {
			this.maxKeys = maxKeys;
		}

		public int getThreads() {
			return this.threads;
		}

		public void setThreads(int threads) {
			this.threads = threads;
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

	}

	/**
	 * Metrics settings.
	 */
	public static class Metrics {

		/**
		 * Time between samples of Redis INFO for the cachetags.redis.* gauges.
		 */
		private Duration redisInfoInterval = Duration.ofSeconds(15);

		public Duration getRedisInfoInterval() {
			return this.redisInfoInterval;
		}

		public void setRedisInfoInterval(Duration redisInfoInterval) {
			this.redisInfoInterval = redisInfoInterval;
		}

	}

	/**
	 * Settings of the JSON value format.
	 */
	public static class Json {

		/**
		 * Packages whose classes, records and enums (and those of their subpackages) may be read from stored
		 * JSON, in addition to the application's own packages (the auto-configuration packages, such as the
		 * package of the main application class) and the JDK types that are always allowed. Top-level and JDK
		 * packages are refused.
		 */
		private List<String> allowedPackages = new ArrayList<>();

		public List<String> getAllowedPackages() {
			return this.allowedPackages;
		}

		public void setAllowedPackages(List<String> allowedPackages) {
			this.allowedPackages = allowedPackages;
		}

	}

	/**
	 * Health indicator settings.
	 */
	public static class Health {

		/**
		 * Health status reported while Redis is unreachable. UP by default, because calls then run uncached
		 * rather than fail; DOWN or OUT_OF_SERVICE take the instance out of a load balancer.
		 */
		private String statusWhenRedisUnavailable = "UP";

		public String getStatusWhenRedisUnavailable() {
			return this.statusWhenRedisUnavailable;
		}

		public void setStatusWhenRedisUnavailable(String statusWhenRedisUnavailable) {
			this.statusWhenRedisUnavailable = statusWhenRedisUnavailable;
		}

	}

	/**
	 * Settings for a Redis Cluster.
	 */
	public static class Cluster {

		/**
		 * Whether to have Lettuce refresh its view of a Redis Cluster's topology every 30 seconds, besides the
		 * adaptive refresh it does on redirections and lost connections, when the application uses Redis Cluster
		 * and has not set spring.data.redis.lettuce.cluster.refresh.period itself.
		 */
		private boolean topologyRefresh = true;

		public boolean isTopologyRefresh() {
			return this.topologyRefresh;
		}

		public void setTopologyRefresh(boolean topologyRefresh) {
			this.topologyRefresh = topologyRefresh;
		}

	}

	/**
	 * Settings of one cache; each one left out takes the default.
	 */
	public static class CacheSpec {

		/**
		 * Time to live of this cache's entries.
		 */
		private @Nullable Duration ttl;

		/**
		 * Whether null results are cached in this cache.
		 */
		private @Nullable Boolean cacheNullValues;

		/**
		 * Namespace version. Bumping it abandons every entry stored under the previous version, for example after
		 * the cached type changed shape; the old entries expire on their own.
		 */
		private int version = 1;

		/**
		 * Number of hash slots this cache is spread over.
		 */
		private @Nullable Integer shards;

		private final FreshnessProperties freshness = new FreshnessProperties();

		private final LocalProperties local = new LocalProperties();

		public FreshnessProperties getFreshness() {
			return this.freshness;
		}

		public LocalProperties getLocal() {
			return this.local;
		}

		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
		}

		public @Nullable Boolean getCacheNullValues() {
			return this.cacheNullValues;
		}

		public void setCacheNullValues(@Nullable Boolean cacheNullValues) {
			this.cacheNullValues = cacheNullValues;
		}

		public int getVersion() {
			return this.version;
		}

		public void setVersion(int version) {
			this.version = version;
		}

		public @Nullable Integer getShards() {
			return this.shards;
		}

		public void setShards(@Nullable Integer shards) {
			this.shards = shards;
		}

	}

	/**
	 * Format of stored values.
	 */
	public enum Serializer {

		/**
		 * JSON through Jackson 3 with the Java type of each value, readable with any Redis client; a hit returns
		 * the type that was stored. Only allowed types are read (see cachetags.json.allowed-packages).
		 */
		JSON,

		/**
		 * Java serialization; values must implement Serializable.
		 */
		JDK

	}

	/**
	 * Reaction to an unsafe Redis eviction policy at start-up.
	 */
	public enum PolicyCheck {

		/**
		 * Log a warning and start.
		 */
		WARN,

		/**
		 * Fail start-up.
		 */
		FAIL,

		/**
		 * Do not check.
		 */
		IGNORE

	}

}
