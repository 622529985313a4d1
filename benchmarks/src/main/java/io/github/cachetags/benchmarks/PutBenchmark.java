package io.github.cachetags.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.cachetags.benchmarks.Contexts.Contender;
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

/**
 * Writes through a real {@code @CachePut} proxy: CacheTags with 0, 1 and 3 tags against {@code RedisCacheManager}
 * (which has no tags). Average time per call; keys cycle over {@link #KEYS} so memory stays bounded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PutBenchmark {

	static final int KEYS = 10_000;

	private GenericApplicationContext cacheTags;

	private GenericApplicationContext redisCacheManager;

	private ProductService cacheTagsService;

	private ProductService redisCacheManagerService;

	private Product[] products;

	@Setup(Level.Trial)
	public void setUp() {
		BenchRedis redis = BenchRedis.fromProperty();
		this.cacheTags = Contexts.start(Contender.CACHETAGS, redis);
		this.redisCacheManager = Contexts.start(Contender.REDIS_CACHE_MANAGER, redis);
		this.cacheTagsService = this.cacheTags.getBean(ProductService.class);
		this.redisCacheManagerService = this.redisCacheManager.getBean(ProductService.class);
		this.products = new Product[KEYS];
		for (int id = 0; id < KEYS; id++) {
			this.products[id] = Product.of(id);
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.cacheTags.close();
		this.redisCacheManager.close();
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
	public Product cacheTags0Tags(Cursor cursor) {
		int id = cursor.next();
		return this.cacheTagsService.put0(id, this.products[id]);
	}

	@Benchmark
	public Product cacheTags1Tag(Cursor cursor) {
		int id = cursor.next();
		return this.cacheTagsService.put1(id, this.products[id]);
	}

	@Benchmark
	public Product cacheTags3Tags(Cursor cursor) {
		int id = cursor.next();
		return this.cacheTagsService.put3(id, this.products[id]);
	}

	@Benchmark
	public Product redisCacheManager(Cursor cursor) {
		int id = cursor.next();
		return this.redisCacheManagerService.put0(id, this.products[id]);
	}

}
