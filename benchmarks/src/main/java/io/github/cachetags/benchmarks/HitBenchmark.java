package io.github.cachetags.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.cachetags.benchmarks.Contexts.Contender;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * Cache hits through a real {@code @Cacheable} proxy, CacheTags against {@code RedisCacheManager}, and a raw Lettuce
 * {@code GET} of a value of the same size (bytes only: no proxy, no deserialization) as the floor. {@link Main} runs
 * it at 1 and at 8 threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HitBenchmark {

	/** Distinct hot keys, each read in turn by every thread. */
	static final int KEYS = 1_000;

	private GenericApplicationContext cacheTags;

	private GenericApplicationContext redisCacheManager;

	private GenericApplicationContext cacheTagsNear;

	private GenericApplicationContext caffeine;

	private ProductService cacheTagsNearService;

	private ProductService caffeineService;

	private long cacheTagsNearLoads;

	private long caffeineLoads;

	private ProductService cacheTagsService;

	private ProductService redisCacheManagerService;

	private RedisClient rawClient;

	private StatefulRedisConnection<byte[], byte[]> rawConnection;

	private RedisCommands<byte[], byte[]> raw;

	private byte[][] rawKeys;

	private long cacheTagsLoads;

	private long redisCacheManagerLoads;

	@Setup(Level.Trial)
	public void setUp() {
		BenchRedis redis = BenchRedis.fromProperty();
		this.cacheTags = Contexts.start(Contender.CACHETAGS, redis);
		this.redisCacheManager = Contexts.start(Contender.REDIS_CACHE_MANAGER, redis);
		this.cacheTagsService = this.cacheTags.getBean(ProductService.class);
		this.redisCacheManagerService = this.redisCacheManager.getBean(ProductService.class);
		this.cacheTagsNear = Contexts.start(Contender.CACHETAGS_NEAR, redis);
		this.caffeine = Contexts.start(Contender.CAFFEINE, redis);
		this.cacheTagsNearService = this.cacheTagsNear.getBean(ProductService.class);
		this.caffeineService = this.caffeine.getBean(ProductService.class);
		awaitNearCachesInUse();
		this.rawClient = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		this.rawConnection = this.rawClient.connect(ByteArrayCodec.INSTANCE);
		this.raw = this.rawConnection.sync();
		this.rawKeys = new byte[KEYS][];
		RedisSerializer<Object> json = RedisSerializer.json();
		for (int id = 0; id < KEYS; id++) {
			this.cacheTagsService.product(id);
			this.redisCacheManagerService.product(id);
			this.cacheTagsNearService.product(id);
			this.caffeineService.product(id);
			this.rawKeys[id] = ("raw:product:" + id).getBytes(StandardCharsets.US_ASCII);
			this.raw.set(this.rawKeys[id], json.serialize(Product.of(id)));
		}
		this.cacheTagsLoads = this.cacheTagsService.loads();
		this.redisCacheManagerLoads = this.redisCacheManagerService.loads();
		this.cacheTagsNearLoads = this.cacheTagsNearService.loads();
		this.caffeineLoads = this.caffeineService.loads();
		for (int id = 0; id < KEYS; id++) {
			this.cacheTagsService.product(id);
			this.redisCacheManagerService.product(id);
			this.cacheTagsNearService.product(id);
			this.caffeineService.product(id);
		}
		requireAllHits();
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		requireAllHits();
		this.rawConnection.close();
		this.rawClient.shutdown();
		this.cacheTags.close();
		this.redisCacheManager.close();
		this.cacheTagsNear.close();
		this.caffeine.close();
	}

	/** The near cache is used once its subscription to invalidations is known to deliver. */
	private void awaitNearCachesInUse() {
		var coherence = this.cacheTagsNear.getBean(TagAwareCacheManager.class).getNearCoherence();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!coherence.trusted()) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("The near cache's subscription did not deliver within 30 s");
			}
			Thread.onSpinWait();
		}
	}

	/** Every call after priming must be a hit: the loaders ran at most once per key, while priming. */
	private void requireAllHits() {
		long cacheTagsMisses = this.cacheTagsService.loads() - this.cacheTagsLoads;
		long redisCacheManagerMisses = this.redisCacheManagerService.loads() - this.redisCacheManagerLoads;
		long nearMisses = this.cacheTagsNearService.loads() - this.cacheTagsNearLoads;
		long caffeineMisses = this.caffeineService.loads() - this.caffeineLoads;
		long nearRedisReads = this.cacheTagsNear.getBean(TagAwareCacheManager.class)
			.getCaches()
			.get("products")
			.getNearStatistics()
			.misses();
		if (nearMisses != 0 || caffeineMisses != 0) {
			throw new IllegalStateException("Expected only hits after priming, but got " + nearMisses
					+ " misses (CacheTags, near cache) and " + caffeineMisses + " (CaffeineCacheManager)");
		}
		if (nearRedisReads > 2L * KEYS) {
			throw new IllegalStateException("Expected near hits after priming, but " + nearRedisReads
					+ " reads went to Redis");
		}
		if (cacheTagsMisses != 0 || redisCacheManagerMisses != 0) {
			throw new IllegalStateException("Expected only hits after priming " + KEYS + " keys, but got "
					+ cacheTagsMisses + " misses (CacheTags) and " + redisCacheManagerMisses
					+ " (RedisCacheManager)");
		}
	}

	@State(Scope.Thread)
	public static class Cursor {

		private int next = ThreadLocalRandom.current().nextInt(KEYS);

		int next() {
			this.next = (this.next + 1 == KEYS) ? 0 : this.next + 1;
			return this.next;
		}

	}

	@Benchmark
	public Product cacheTags(Cursor cursor) {
		return this.cacheTagsService.product(cursor.next());
	}

	@Benchmark
	public Product redisCacheManager(Cursor cursor) {
		return this.redisCacheManagerService.product(cursor.next());
	}

	@Benchmark
	public Product cacheTagsNear(Cursor cursor) {
		return this.cacheTagsNearService.product(cursor.next());
	}

	@Benchmark
	public Product caffeine(Cursor cursor) {
		return this.caffeineService.product(cursor.next());
	}

	@Benchmark
	public byte[] rawGet(Cursor cursor) {
		return this.raw.get(this.rawKeys[cursor.next()]);
	}

}
