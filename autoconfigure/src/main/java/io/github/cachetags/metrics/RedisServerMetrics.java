package io.github.cachetags.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.github.cachetags.store.RedisNodes.Reading;
import io.github.cachetags.store.RedisNodes.Readings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Gauges of the Redis servers behind the caches, from {@code INFO} sampled on a schedule (never per scrape and
 * never on the cache's hot path): used memory, RSS, fragmentation ratio, {@code maxmemory}, evicted and expired
 * keys, connected clients, and the eviction policy as {@code cachetags.redis.maxmemory.policy{policy=...}}. These
 * are the figures that reveal silent memory pressure.
 * <p>
 * On a Redis Cluster every master has its own meters, tagged {@code node=host:port}; otherwise the one server's
 * meters carry no {@code node} tag. A server's meters are registered with its first sample, and its policy meter
 * is tagged with the policy read then. A server that does not answer keeps its last sample; a master that leaves
 * the topology loses its meters.
 */
public class RedisServerMetrics implements MeterBinder, AutoCloseable {

	/** Tag naming the cluster master of a meter. */
	public static final String NODE_TAG = "node";

	private static final Log logger = LogFactory.getLog(RedisServerMetrics.class);

	private final Supplier<Readings> info;

	private final Duration interval;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	/** By node name; the key is "" for the one server of a non-cluster setup. */
	private final Map<String, ServerMeters> servers = new LinkedHashMap<>();

	private @Nullable ScheduledExecutorService scheduler;

	/**
	 * @param info reads {@code INFO} of each server (default sections: memory, stats, clients)
	 * @param interval time between samples
	 */
	public RedisServerMetrics(Supplier<Readings> info, Duration interval) {
		this.info = info;
		this.interval = interval;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		synchronized (this) {
			this.registries.add(registry);
			this.servers.values().forEach((server) -> server.registerIn(registry));
		}
		sampleNow();
		start();
	}

	/**
	 * Reads {@code INFO} of each server now; a server that does not answer keeps its previous sample, and a failure
	 * to list the servers keeps every previous sample. Failures are logged at debug level.
	 */
	public synchronized void sampleNow() {
		Readings readings;
		try {
			readings = this.info.get();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not sample Redis INFO", ex);
			return;
		}
		Set<String> present = new HashSet<>();
		for (Reading reading : readings.nodes()) {
			String key = (reading.node() != null) ? reading.node() : "";
			present.add(key);
			if (!reading.answered()) {
				logger.debug("Could not sample Redis INFO of " + key + ": " + reading.error());
				continue;
			}
			ServerMeters server = this.servers.get(key);
			if (server == null) {
				server = new ServerMeters(reading.node(), reading.properties());
				this.servers.put(key, server);
				for (MeterRegistry registry : this.registries) {
					server.registerIn(registry);
				}
			}
			server.latest = reading.properties();
		}
		this.servers.entrySet().removeIf((entry) -> {
			if (present.contains(entry.getKey())) {
				return false;
			}
			entry.getValue().remove();
			return true;
		});
	}

	private synchronized void start() {
		if (this.scheduler != null) {
			return;
		}
		ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "cachetags-redis-info");
			thread.setDaemon(true);
			return thread;
		});
		long millis = this.interval.toMillis();
		started.scheduleWithFixedDelay(this::sampleNow, millis, millis, TimeUnit.MILLISECONDS);
		this.scheduler = started;
	}

	@Override
	public synchronized void close() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	/**
	 * The meters of one server, reading its latest sample.
	 */
	private static final class ServerMeters {

		private final Tags tags;

		private final String policy;

		private final Map<MeterRegistry, List<Meter>> registered = new LinkedHashMap<>();

		private volatile Properties latest;

		ServerMeters(@Nullable String node, Properties first) {
			this.tags = (node != null) ? Tags.of(NODE_TAG, node) : Tags.empty();
			this.policy = first.getProperty("maxmemory_policy", "unknown").trim();
			this.latest = first;
		}

		void registerIn(MeterRegistry registry) {
			if (this.registered.containsKey(registry)) {
				return;
			}
			List<Meter> meters = new ArrayList<>();
			meters.add(gauge(registry, "cachetags.redis.memory.used", "used_memory", "Bytes Redis has allocated",
					"bytes"));
			meters.add(gauge(registry, "cachetags.redis.memory.rss", "used_memory_rss",
					"Bytes of memory the OS gives Redis", "bytes"));
			meters.add(gauge(registry, "cachetags.redis.memory.fragmentation.ratio", "mem_fragmentation_ratio",
					"RSS divided by used memory; well above 1.5 means fragmentation", null));
			meters.add(gauge(registry, "cachetags.redis.memory.max", "maxmemory",
					"The maxmemory setting, 0 when unlimited", "bytes"));
			meters.add(gauge(registry, "cachetags.redis.clients.connected", "connected_clients", "Connected clients",
					null));
			meters.add(counter(registry, "cachetags.redis.keys.evicted", "evicted_keys",
					"Keys Redis evicted for memory since it started"));
			meters.add(counter(registry, "cachetags.redis.keys.expired", "expired_keys",
					"Keys that expired since Redis started"));
			meters.add(Gauge.builder("cachetags.redis.maxmemory.policy", this, (server) -> 1.0)
				.tags(this.tags)
				.tag("policy", this.policy)
				.description("Constant 1, tagged with the eviction policy read with the server's first sample")
				.register(registry));
			this.registered.put(registry, meters);
		}

		void remove() {
			this.registered.forEach((registry, meters) -> meters.forEach(registry::remove));
			this.registered.clear();
		}

		private Meter gauge(MeterRegistry registry, String name, String field, String description,
				@Nullable String unit) {
			return Gauge.builder(name, this, value(field))
				.tags(this.tags)
				.description(description)
				.baseUnit(unit)
				.register(registry);
		}

		private Meter counter(MeterRegistry registry, String name, String field, String description) {
			return FunctionCounter.builder(name, this, value(field))
				.tags(this.tags)
				.description(description)
				.register(registry);
		}

		private static ToDoubleFunction<ServerMeters> value(String field) {
			return (server) -> {
				String raw = server.latest.getProperty(field);
				if (raw == null) {
					return Double.NaN;
				}
				try {
					return Double.parseDouble(raw.trim());
				}
				catch (NumberFormatException ex) {
					return Double.NaN;
				}
			};
		}

	}

}
