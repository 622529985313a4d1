package io.github.cachetags.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

import io.github.cachetags.annotation.CacheTags;

import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;

/**
 * The service bean behind every benchmark. The same class runs under CacheTags and under {@code RedisCacheManager};
 * under the latter, {@code @CacheTags} is simply not read.
 */
public class ProductService {

	private final AtomicLong loads = new AtomicLong();

	/** Loads of {@link #slowProduct}, across every instance of the stampede harness. */
	public static final AtomicLong slowLoads = new AtomicLong();

	/** Hit path: two tags, so a CacheTags hit checks three marks (the cache's and two tags'). */
	@Cacheable(cacheNames = "products")
	@CacheTags({ "'product:' + #id", "'category:' + #result.category()" })
	public Product product(long id) {
		this.loads.incrementAndGet();
		return Product.of(id);
	}

	@CachePut(cacheNames = "writes", key = "#id")
	public Product put0(long id, Product product) {
		return product;
	}

	@CachePut(cacheNames = "writes", key = "#id")
	@CacheTags("'product:' + #id")
	public Product put1(long id, Product product) {
		return product;
	}

	@CachePut(cacheNames = "writes", key = "#id")
	@CacheTags({ "'product:' + #id", "'category:' + #product.category()", "'brand:' + (#id % 10)" })
	public Product put3(long id, Product product) {
		return product;
	}

	/** Entries of the purge harness: every one carries the tag {@code bulk}. */
	@CachePut(cacheNames = "purge", key = "#id")
	@CacheTags("'bulk'")
	public Product bulk(long id, Product product) {
		return product;
	}

	@CachePut(cacheNames = "memory", key = "#id")
	public Product memory0(long id, Product product) {
		return product;
	}

	@CachePut(cacheNames = "memory", key = "#id")
	@CacheTags("'product:' + #id")
	public Product memory1(long id, Product product) {
		return product;
	}

	@CachePut(cacheNames = "memory", key = "#id")
	@CacheTags({ "'product:' + #id", "'category:' + #product.category()", "'brand:' + (#id % 10)" })
	public Product memory3(long id, Product product) {
		return product;
	}

	/** Loads of {@link #product} so far (a method, so that it reaches the target through the proxy). */
	public long loads() {
		return this.loads.get();
	}

	/** Stampede: a cold key whose load takes 50 ms. */
	@Cacheable(cacheNames = "stampede", sync = true)
	public Product slowProduct(long id) {
		slowLoads.incrementAndGet();
		try {
			Thread.sleep(50);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return Product.of(id);
	}

}
