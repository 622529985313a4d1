package io.github.cachetags.metrics;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Gauges of the Redis server behind the caches, from {@code INFO} sampled on a schedule (never per scrape and
 * never on the cache's hot path): used memory, RSS, fragmentation ratio, {@code maxmemory}, evicted and expired
 * keys, connected clients, and the eviction policy as {@code cachetags.redis.maxmemory.policy{policy=...}}. These
 * are the figures that reveal silent memory pressure. Values are NaN until the first sample.
 */
public class RedisServerMetrics implements MeterBinder, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisServerMetrics.class);

	private final Supplier<Properties> info;

	private final Duration interval;

	private volatile Properties latest = new Properties();

	private volatile String policy = "unknown";

	private ScheduledExecutorService scheduler;

	/**
	 * @param info reads {@code INFO} (all sections needed: memory, stats, clients)
	 * @param interval time between samples
	 */
	public RedisServerMetrics(Supplier<Properties> info, Duration interval) {
		this.info = info;
		this.interval = interval;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		gauge(registry, "cachetags.redis.memory.used", "used_memory", "Bytes Redis has allocated", "bytes");
		gauge(registry, "cachetags.redis.memory.rss", "used_memory_rss", "Bytes of memory the OS gives Redis",
				"bytes");
		gauge(registry, "cachetags.redis.memory.fragmentation.ratio", "mem_fragmentation_ratio",
				"RSS divided by used memory; well above 1.5 means fragmentation", null);
		gauge(registry, "cachetags.redis.memory.max", "maxmemory", "The maxmemory setting, 0 when unlimited",
				"bytes");
		gauge(registry, "cachetags.redis.clients.connected", "connected_clients", "Connected clients", null);
		counter(registry, "cachetags.redis.keys.evicted", "evicted_keys",
				"Keys Redis evicted for memory since it started");
		counter(registry, "cachetags.redis.keys.expired", "expired_keys", "Keys that expired since Redis started");
		sampleNow();
		Gauge.builder("cachetags.redis.maxmemory.policy", this, (metrics) -> 1.0)
			.tags("policy", this.policy)
			.description("Constant 1, tagged with the eviction policy read at start-up")
			.register(registry);
		start();
	}

	private void gauge(MeterRegistry registry, String name, String field, String description, String unit) {
		Gauge.builder(name, this, value(field)).description(description).baseUnit(unit).register(registry);
	}

	private void counter(MeterRegistry registry, String name, String field, String description) {
		FunctionCounter.builder(name, this, value(field)).description(description).register(registry);
	}

	private ToDoubleFunction<RedisServerMetrics> value(String field) {
		return (metrics) -> {
			String raw = metrics.latest.getProperty(field);
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

	/**
	 * Reads {@code INFO} now; failures keep the previous sample and are logged at debug level.
	 */
	public void sampleNow() {
		try {
			Properties sample = this.info.get();
			this.latest = sample;
			this.policy = sample.getProperty("maxmemory_policy", this.policy).trim();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not sample Redis INFO", ex);
		}
	}

	private synchronized void start() {
		if (this.scheduler != null) {
			return;
		}
		this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "cachetags-redis-info");
			thread.setDaemon(true);
			return thread;
		});
		long millis = this.interval.toMillis();
		this.scheduler.scheduleWithFixedDelay(this::sampleNow, millis, millis, TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void close() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

}
