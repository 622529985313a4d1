package io.github.cachetags.it;

import java.time.Duration;

import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint;
import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.CacheTagsReport;
import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.PurgeReport;
import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.RedisUnavailableReport;
import io.github.cachetags.actuate.endpoint.CacheTagsEndpoint.TagReport;
import io.github.cachetags.actuate.health.CacheTagsHealthIndicator;
import io.github.cachetags.autoconfigure.CacheTagsEndpointAutoConfiguration;
import io.github.cachetags.autoconfigure.CacheTagsHealthAutoConfiguration;
import io.github.cachetags.autoconfigure.CacheTagsMetricsAutoConfiguration;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import io.github.cachetags.test.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint, meters and health indicator after real cache traffic on a real Redis.
 */
class OperatorsViewIT {

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CacheTagsMetricsAutoConfiguration.class, CacheTagsEndpointAutoConfiguration.class,
				CacheTagsHealthAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=cachetags")
		.withUserConfiguration(CatalogConfiguration.class);

	@Test
	void endpointReportsPerCacheFiguresAndTotals() {
		this.contexts.run((context) -> {
			Catalog catalog = traffic(context.getBean(Catalog.class));
			CacheTagsEndpoint endpoint = context.getBean(CacheTagsEndpoint.class);

			CacheTagsReport report = endpoint.caches();

			assertThat(report.keyPrefix()).isEqualTo(context.getBean(TagAwareCacheManager.class).getKeyPrefix());
			assertThat(report.scope()).contains("this instance");
			assertThat(report.caches().get("products").figures().hits()).isEqualTo(2);
			assertThat(report.caches().get("products").figures().misses()).isEqualTo(2);
			assertThat(report.caches().get("products").figures().hitRatio()).isEqualTo(0.5);
			assertThat(report.caches().get("products").figures().loads()).isEqualTo(2);
			assertThat(report.caches().get("products").ttl()).hasMinutes(10);
			assertThat(report.totals().misses()).isEqualTo(3);
			assertThat(catalog.loads()).isEqualTo(3);
		});
	}

	@Test
	void endpointCountsAndPurgesOneLiteralTag() {
		this.contexts.run((context) -> {
			Catalog catalog = traffic(context.getBean(Catalog.class));
			CacheTagsEndpoint endpoint = context.getBean(CacheTagsEndpoint.class);

			assertThat(count(endpoint, "category:books").caches()).containsEntry("products", 2L)
				.containsEntry("listings", 1L);
			assertThat(purge(endpoint, "*").removed()).isZero();
			assertThat(purge(endpoint, "category:books").removed()).isEqualTo(3);
			assertThat(context.getBean(CacheTagsEndpoint.class).caches().caches().get("products").figures().purges())
				.isEqualTo(2);
			catalog.product(1);
			assertThat(catalog.loads()).isEqualTo(4);
		});
	}

	@Test
	void tagContainingASlashIsPurgedWhole() {
		this.contexts.run((context) -> {
			context.getBean(Catalog.class).write(new Item(5, "a/b", 1));
			CacheTagsEndpoint endpoint = context.getBean(CacheTagsEndpoint.class);

			// what Spring MVC passes for DELETE /actuator/cachetags/category:a%2Fb
			assertThat(purge(endpoint, "category:a/b").removed()).isEqualTo(1);
		});
	}

	@Test
	void invalidTagIsABadRequestAndPurgesNothing() {
		this.contexts.run((context) -> {
			Catalog catalog = traffic(context.getBean(Catalog.class));
			CacheTagsEndpoint endpoint = context.getBean(CacheTagsEndpoint.class);

			assertThatExceptionOfType(InvalidEndpointRequestException.class)
				.isThrownBy(() -> endpoint.purge(new String[] { "x".repeat(300) }))
				.withMessageContaining("at most 256");
			assertThatExceptionOfType(InvalidEndpointRequestException.class)
				.isThrownBy(() -> endpoint.tag(new String[] { "caf\u00e9" }));
			catalog.product(1);
			assertThat(catalog.loads()).isEqualTo(3);
		});
	}

	@Test
	void metersFollowMicrometersCacheConventionsIncludingCachesCreatedLater() {
		this.contexts.run((context) -> {
			traffic(context.getBean(Catalog.class));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean(TagAwareCacheManager.class).getCache("created-later").put("k", "v");

			assertThat(registry.get("cache.gets").tags("cache", "products", "result", "hit", "cache.manager",
					"cacheManager").functionCounter().count()).isEqualTo(2);
			assertThat(registry.get("cache.gets").tags("cache", "products", "result", "miss").functionCounter().count())
				.isEqualTo(2);
			assertThat(registry.get("cache.puts").tags("cache", "products").functionCounter().count()).isEqualTo(2);
			assertThat(registry.get("cachetags.loads").tags("cache", "products", "result", "success")
				.functionCounter().count()).isEqualTo(2);
			assertThat(registry.get("cachetags.load").tags("cache", "products").functionTimer().count()).isEqualTo(2);
			assertThat(registry.get("cache.puts").tags("cache", "created-later").functionCounter().count()).isEqualTo(1);
			assertThat(registry.get("cachetags.purges").tags("cache", "created-later").functionCounter()).isNotNull();
			assertThat(registry.get("cachetags.redis.memory.used").gauge().value()).isPositive();
			assertThat(registry.get("cachetags.redis.memory.used").gauge().getId().getTag("node"))
				.as("one server: no node tag").isNull();
			assertThat(registry.get("cachetags.redis.maxmemory.policy").tags("policy", "noeviction").gauge().value())
				.isEqualTo(1);
			assertThat(registry.getMeters()).allSatisfy((meter) -> assertThat(meter.getId().getTags())
				.noneMatch((tag) -> tag.getValue().startsWith("category:")));
		});
	}

	@Test
	void healthIsUpWithRedisDetails() {
		this.contexts.run((context) -> {
			Health health = context.getBean(CacheTagsHealthIndicator.class).health(true);

			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("redis", "reachable")
				.containsEntry("evictionPolicy", "noeviction")
				.containsEntry("evictionPolicySafe", false)
				.containsKey("latencyMicros");
		});
	}

	@Test
	void unreachableRedisStaysUpByDefaultAndDownWhenConfigured() {
		RedisServer server = RedisServer.startProcess();
		ApplicationContextRunner onOwnServer = this.contexts.withPropertyValues(server.springProperties())
			.withPropertyValues("spring.data.redis.timeout=300ms");
		onOwnServer.run((context) -> {
			server.stop();
			Health health = context.getBean(CacheTagsHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("redis", "unreachable; calls run uncached");
		});
		onOwnServer.withPropertyValues("cachetags.health.status-when-redis-unavailable=down").run((context) -> {
			assertThat(context.getBean(CacheTagsHealthIndicator.class).health(true).getStatus())
				.isEqualTo(Status.DOWN);
		});
		server.close();
	}

	@Test
	void countAndPurgeAnswer503WhileRedisIsUnreachableAndTheQueuedPurgeIsAppliedWhenItAnswers() {
		try (RedisServer server = RedisServer.startProcess(); TcpProxy proxy = new TcpProxy(server)) {
			this.contexts.withPropertyValues(proxy.springProperties())
				.withPropertyValues("spring.data.redis.timeout=300ms", "cachetags.redis-retry-interval=100ms")
				.run((context) -> {
					traffic(context.getBean(Catalog.class));
					CacheTagsEndpoint endpoint = context.getBean(CacheTagsEndpoint.class);
					TagAwareCacheManager cacheManager = context.getBean(TagAwareCacheManager.class);
					proxy.cut();

					WebEndpointResponse<Object> count = endpoint.tag(new String[] { "category:books" });
					WebEndpointResponse<Object> purge = endpoint.purge(new String[] { "category:books" });

					assertThat(count.getStatus()).isEqualTo(503);
					assertThat(count.getBody()).isInstanceOfSatisfying(RedisUnavailableReport.class, (report) -> {
						assertThat(report.tag()).isEqualTo("category:books");
						assertThat(report.error()).isEqualTo("Redis unreachable");
						assertThat(report.message()).contains("were not counted");
					});
					assertThat(purge.getStatus()).isEqualTo(503);
					assertThat(purge.getBody()).isInstanceOfSatisfying(RedisUnavailableReport.class, (report) -> {
						assertThat(report.error()).isEqualTo("Purge queued");
						assertThat(report.message()).contains("queued and retried until Redis accepts it");
					});
					assertThat(cacheManager.getInvalidations().pending()).isEqualTo(1);

					proxy.restore();
					await().atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(100))
						.untilAsserted(() -> assertThat(cacheManager.getInvalidations().pending()).isZero());
					assertThat(count(endpoint, "category:books").total()).isZero();
				});
		}
	}

	private static TagReport count(CacheTagsEndpoint endpoint, String tag) {
		WebEndpointResponse<Object> response = endpoint.tag(new String[] { tag });
		assertThat(response.getStatus()).isEqualTo(200);
		return (TagReport) response.getBody();
	}

	private static PurgeReport purge(CacheTagsEndpoint endpoint, String tag) {
		WebEndpointResponse<Object> response = endpoint.purge(new String[] { tag });
		assertThat(response.getStatus()).isEqualTo(200);
		return (PurgeReport) response.getBody();
	}

	private static Catalog traffic(Catalog catalog) {
		catalog.save(new Item(1, "books", 1));
		catalog.save(new Item(2, "books", 1));
		catalog.product(1);
		catalog.product(1);
		catalog.product(2);
		catalog.product(2);
		catalog.listing("books");
		return catalog;
	}

}
