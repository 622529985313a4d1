package io.github.cachetags.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.store.Namespace;
import io.github.cachetags.tags.Tags;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.CacheManager;

/**
 * A {@link CacheManager} of {@link TagAwareCache}s that also purges tags across them.
 * <p>
 * Caches named up front exist from the start; others are created on first use unless dynamic creation is off.
 * Every cache's layout is recorded in Redis, so a purge in one instance also reaches caches that only other
 * instances have created.
 */
public class TagAwareCacheManager implements CacheManager, CacheTagOperations {

	private static final Log logger = LogFactory.getLog(TagAwareCacheManager.class);

	private final CacheInfrastructure infrastructure;

	private final Function<String, CacheSettings> settings;

	private final boolean dynamic;

	private final ConcurrentMap<String, TagAwareCache> caches = new ConcurrentHashMap<>();

	private final Set<String> registered = ConcurrentHashMap.newKeySet();

	private final List<Consumer<TagAwareCache>> creationListeners = new CopyOnWriteArrayList<>();

	/**
	 * @param infrastructure what the caches share
	 * @param settings settings of a cache by name
	 * @param initialCaches caches to create now
	 * @param dynamic whether caches not named up front are created on first use
	 */
	public TagAwareCacheManager(CacheInfrastructure infrastructure, Function<String, CacheSettings> settings,
			Collection<String> initialCaches, boolean dynamic) {
		this.infrastructure = infrastructure;
		this.settings = settings;
		this.dynamic = dynamic;
		initialCaches.forEach(this::create);
	}

	@Override
	public @Nullable TagAwareCache getCache(String name) {
		TagAwareCache cache = this.caches.get(name);
		if (cache != null || !this.dynamic) {
			return cache;
		}
		return create(name);
	}

	private TagAwareCache create(String name) {
		boolean[] created = new boolean[1];
		TagAwareCache cache = this.caches.computeIfAbsent(name, (key) -> {
			created[0] = true;
			return new TagAwareCache(key, this.settings.apply(key), this.infrastructure);
		});
		if (created[0]) {
			register(cache.layout());
			this.creationListeners.forEach((listener) -> listener.accept(cache));
		}
		return cache;
	}

	/**
	 * Calls the listener for every cache that exists now and for every cache created later (at least once each).
	 */
	public void forEachCache(Consumer<TagAwareCache> listener) {
		this.creationListeners.add(listener);
		new ArrayList<>(this.caches.values()).forEach(listener);
	}

	/**
	 * Where this manager's entries live: the prefix of every Redis key it writes.
	 */
	public String getKeyPrefix() {
		return this.infrastructure.keyPrefix();
	}

	private void register(CacheLayout layout) {
		String descriptor = layout.descriptor();
		if (this.registered.contains(descriptor)) {
			return;
		}
		try {
			this.infrastructure.store().register(descriptor);
			this.registered.add(descriptor);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not record cache '" + layout.name() + "' in Redis yet; will retry on the next purge: "
					+ ex);
		}
	}

	@Override
	public Collection<String> getCacheNames() {
		return Collections.unmodifiableSet(new java.util.TreeSet<>(this.caches.keySet()));
	}

	/**
	 * The caches this instance has created.
	 */
	public Map<String, TagAwareCache> getCaches() {
		return Collections.unmodifiableMap(new TreeMap<>(this.caches));
	}

	@Override
	public long purge(String tag) {
		Tags.requireValid(tag);
		long removed = 0;
		for (CacheLayout layout : knownLayouts(null)) {
			removed += purge(layout, tag);
		}
		return removed;
	}

	@Override
	public long purge(String cacheName, String tag) {
		Tags.requireValid(tag);
		long removed = 0;
		for (CacheLayout layout : knownLayouts(cacheName)) {
			removed += purge(layout, tag);
		}
		return removed;
	}

	private long purge(CacheLayout layout, String tag) {
		TagAwareCache local = this.caches.get(layout.name());
		if (local != null && local.layout().equals(layout)) {
			return local.purge(tag);
		}
		return this.infrastructure.store()
			.purge(layout.namespaces(this.infrastructure.keyPrefix(), this.infrastructure.tenant()), tag);
	}

	@Override
	public Map<String, Long> count(String tag) {
		Tags.requireValid(tag);
		Map<String, Long> counts = new TreeMap<>();
		String tenant = this.infrastructure.tenant();
		for (CacheLayout layout : knownLayouts(null)) {
			long count = 0;
			for (Namespace namespace : layout.namespaces(this.infrastructure.keyPrefix(), tenant)) {
				count += this.infrastructure.store().count(namespace, tag);
			}
			counts.merge(layout.name(), count, Long::sum);
		}
		return counts;
	}

	/**
	 * Layouts of this instance's caches and of every cache recorded in Redis, optionally of one name only.
	 */
	private List<CacheLayout> knownLayouts(@Nullable String onlyName) {
		Map<String, CacheLayout> layouts = new LinkedHashMap<>();
		for (TagAwareCache cache : this.caches.values()) {
			register(cache.layout());
			layouts.put(cache.layout().descriptor(), cache.layout());
		}
		for (String descriptor : this.infrastructure.store().registered()) {
			CacheLayout.parse(descriptor).ifPresent((layout) -> layouts.putIfAbsent(descriptor, layout));
		}
		if (onlyName != null && layouts.values().stream().noneMatch((layout) -> layout.name().equals(onlyName))) {
			CacheSettings settings = this.settings.apply(onlyName);
			CacheLayout layout = new CacheLayout(onlyName, settings.version(), settings.shards());
			layouts.put(layout.descriptor(), layout);
		}
		List<CacheLayout> result = new ArrayList<>();
		for (CacheLayout layout : layouts.values()) {
			if (onlyName == null || layout.name().equals(onlyName)) {
				result.add(layout);
			}
		}
		return result;
	}

}
