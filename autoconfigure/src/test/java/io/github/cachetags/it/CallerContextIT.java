package io.github.cachetags.it;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.github.cachetags.TenantResolver;
import io.github.cachetags.cache.TagAwareCacheManager;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import io.micrometer.context.ContextRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Work done for a caller off its thread (asynchronous reads and loads, refresh ahead of expiry) runs as that caller,
 * with its tenant, or does not run.
 */
class CallerContextIT {

	private static final String ACCESSOR = "cachetags.test.tenant";

	/** A tenant holder the application registered with context-propagation. */
	static final ThreadLocal<String> propagatedTenant = new ThreadLocal<>();

	/** A tenant holder nobody told context-propagation about. */
	static final ThreadLocal<String> unpropagatedTenant = new ThreadLocal<>();

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withPropertyValues("cachetags.caches.quotas.freshness.refresh-ahead=true",
				"cachetags.caches.quotas.freshness.refresh-threshold=0.9", "cachetags.caches.quotas.ttl=3s", "cachetags.refresh.interval=50ms");

	@BeforeAll
	static void registerTenantAccessor() {
		ContextRegistry.getInstance().registerThreadLocalAccessor(ACCESSOR, propagatedTenant);
	}

	@AfterAll
	static void removeTenantAccessor() {
		ContextRegistry.getInstance().removeThreadLocalAccessor(ACCESSOR);
	}

	@Test
	void asynchronousCacheableReadsAndLoadsStayInTheCallersTenant() {
		this.contexts.withUserConfiguration(PropagatedConfiguration.class).run((context) -> {
			Accounts accounts = context.getBean(Accounts.class);

			assertThat(as(propagatedTenant, "acme", () -> accounts.balance(1).join())).isEqualTo("acme:1");
			assertThat(as(propagatedTenant, "globex", () -> accounts.balance(1).join())).isEqualTo("globex:1");
			assertThat(as(propagatedTenant, "acme", () -> accounts.balance(1).join())).isEqualTo("acme:1");
			assertThat(accounts.loads()).as("one load per tenant, then a hit").isEqualTo(2);
		});
	}

	@Test
	void anAsynchronousCachePutCompletedOnAnotherThreadReplacesTheCallersEntry() {
		this.contexts.withUserConfiguration(PropagatedConfiguration.class).run((context) -> {
			Accounts accounts = context.getBean(Accounts.class);
			assertThat(as(propagatedTenant, "acme", () -> accounts.balance(1).join())).isEqualTo("acme:1");

			as(propagatedTenant, "acme", () -> accounts.setBalance(1, "acme:2").join());

			assertThat(as(propagatedTenant, "acme", () -> accounts.balance(1).join())).isEqualTo("acme:2");
			assertThat(as(propagatedTenant, "globex", () -> accounts.balance(1).join())).isEqualTo("globex:1");
		});
	}

	@Test
	void synchronizedAsynchronousLoadsRunAsTheCaller() {
		this.contexts.withUserConfiguration(PropagatedConfiguration.class).run((context) -> {
			Accounts accounts = context.getBean(Accounts.class);

			assertThat(as(propagatedTenant, "acme", () -> accounts.limit(1).join())).isEqualTo("acme:1");
			assertThat(as(propagatedTenant, "globex", () -> accounts.limit(1).join())).isEqualTo("globex:1");
			assertThat(as(propagatedTenant, "acme", () -> accounts.limit(1).join())).isEqualTo("acme:1");
		});
	}

	@Test
	void refreshesAheadOfExpiryRunAsTheCallerThatReadTheKey() {
		this.contexts.withUserConfiguration(PropagatedConfiguration.class).run((context) -> {
			Accounts accounts = context.getBean(Accounts.class);
			assertThat(as(propagatedTenant, "acme", () -> accounts.quota(1))).isEqualTo("acme:1");

			as(propagatedTenant, "acme", () -> accounts.quota(1));

			await().atMost(Duration.ofSeconds(10)).until(() -> !accounts.backgroundTenants().isEmpty());
			assertThat(accounts.backgroundTenants()).as("tenants the refreshing method saw").containsOnly("acme");
			assertThat(as(propagatedTenant, "acme", () -> accounts.quota(1))).isEqualTo("acme:1");
		});
	}

	@Test
	void aRefreshThatCannotCarryTheTenantDoesNotRun() {
		this.contexts.withUserConfiguration(UnpropagatedConfiguration.class).run((context) -> {
			Accounts accounts = context.getBean(Accounts.class);
			assertThat(as(unpropagatedTenant, "acme", () -> accounts.quota(1))).isEqualTo("acme:1");

			as(unpropagatedTenant, "acme", () -> accounts.quota(1));

			await().atMost(Duration.ofSeconds(10))
				.until(() -> context.getBean(TagAwareCacheManager.class)
					.getCache("quotas")
					.getStatistics()
					.refreshesRejected() > 0);
			assertThat(accounts.backgroundTenants()).as("the method never ran without its tenant").isEmpty();
			assertThat(as(unpropagatedTenant, "acme", () -> accounts.quota(1))).isEqualTo("acme:1");
		});
	}

	private static <T> T as(ThreadLocal<String> holder, String tenant, Supplier<T> action) {
		holder.set(tenant);
		try {
			return action.get();
		}
		finally {
			holder.remove();
		}
	}

	/**
	 * Data that belongs to the tenant the method sees on its thread.
	 */
	static class Accounts {

		private final ThreadLocal<String> tenant;

		private final AtomicInteger loads = new AtomicInteger();

		private final List<String> backgroundTenants = new CopyOnWriteArrayList<>();

		Accounts(ThreadLocal<String> tenant) {
			this.tenant = tenant;
		}

		int loads() {
			return this.loads.get();
		}

		List<String> backgroundTenants() {
			return this.backgroundTenants;
		}

		@Cacheable("balances")
		public CompletableFuture<String> balance(long id) {
			this.loads.incrementAndGet();
			return CompletableFuture.completedFuture(this.tenant.get() + ":" + id);
		}

		@CachePut(cacheNames = "balances", key = "#id")
		public CompletableFuture<String> setBalance(long id, String balance) {
			// completes on another thread, where the caller's tenant is not bound
			return CompletableFuture.supplyAsync(() -> balance, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
		}

		@Cacheable(cacheNames = "limits", sync = true)
		public CompletableFuture<String> limit(long id) {
			return CompletableFuture.completedFuture(this.tenant.get() + ":" + id);
		}

		@Cacheable(cacheNames = "quotas", sync = true)
		public String quota(long id) {
			if (Thread.currentThread().getName().startsWith("cachetags-refresh")) {
				this.backgroundTenants.add(String.valueOf(this.tenant.get()));
			}
			return this.tenant.get() + ":" + id;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class PropagatedConfiguration {

		@Bean
		TenantResolver tenantResolver() {
			return propagatedTenant::get;
		}

		@Bean
		Accounts accounts() {
			return new Accounts(propagatedTenant);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class UnpropagatedConfiguration {

		@Bean
		TenantResolver tenantResolver() {
			return unpropagatedTenant::get;
		}

		@Bean
		Accounts accounts() {
			return new Accounts(unpropagatedTenant);
		}

	}

}
