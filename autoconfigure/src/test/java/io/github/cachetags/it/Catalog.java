package io.github.cachetags.it;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.github.cachetags.annotation.CacheTags;
import io.github.cachetags.annotation.EvictTags;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;

/**
 * A service with a counted "database", cached the way applications cache.
 */
public class Catalog {

	public record Item(long id, String category, int version) {
	}

	private final Map<Long, Item> rows = new ConcurrentHashMap<>();

	private final AtomicInteger loads = new AtomicInteger();

	public void save(Item item) {
		this.rows.put(item.id(), item);
	}

	public int loads() {
		return this.loads.get();
	}

	@Cacheable(cacheNames = "products", sync = true)
	@CacheTags({ "'product:' + #id", "'category:' + #result.category()" })
	public Item product(long id) {
		this.loads.incrementAndGet();
		return this.rows.get(id);
	}

	@Cacheable(cacheNames = "listings")
	@CacheTags("'category:' + #category")
	public List<Long> listing(String category) {
		this.loads.incrementAndGet();
		return this.rows.values().stream().filter((item) -> item.category().equals(category)).map(Item::id).sorted()
			.collect(Collectors.toList());
	}

	@Cacheable(cacheNames = "plain")
	public String plain(long id) {
		this.loads.incrementAndGet();
		return "plain-" + id + "-" + this.loads.get();
	}

	@Cacheable(cacheNames = "config")
	public String config(String key) {
		this.loads.incrementAndGet();
		return "value-of-" + key;
	}

	@CachePut(cacheNames = "products", key = "#item.id()")
	@CacheTags({ "'product:' + #item.id()", "'category:' + #item.category()" })
	public Item write(Item item) {
		this.rows.put(item.id(), item);
		return item;
	}

	@EvictTags({ "'product:' + #id" })
	public void touch(long id) {
	}

	@CacheEvict(cacheNames = "plain")
	public void evictPlain(long id) {
	}

	@CacheEvict(cacheNames = "products", allEntries = true)
	public void clearProducts() {
	}

}
