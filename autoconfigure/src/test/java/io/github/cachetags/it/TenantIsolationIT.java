package io.github.cachetags.it;

import io.github.cachetags.CacheTagOperations;
import io.github.cachetags.TenantResolver;
import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a tenant resolver, tenants share nothing: not entries, not purges.
 */
class TenantIsolationIT {

	private static final ThreadLocal<String> currentTenant = new ThreadLocal<>();

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withUserConfiguration(TenantConfiguration.class);

	@Test
	void tenantsNeverReadEachOthersEntries() {
		this.contexts.run((context) -> {
			Catalog acme = context.getBean("acme", Catalog.class);
			Catalog globex = context.getBean("globex", Catalog.class);
			acme.save(new Item(1, "acme-books", 1));
			globex.save(new Item(1, "globex-books", 1));

			assertThat(as("acme", () -> acme.product(1)).category()).isEqualTo("acme-books");
			assertThat(as("globex", () -> globex.product(1)).category()).isEqualTo("globex-books");
			assertThat(as("acme", () -> acme.product(1)).category()).isEqualTo("acme-books");
			assertThat(as("globex", () -> globex.product(1)).category()).isEqualTo("globex-books");
			assertThat(acme.loads()).isEqualTo(1);
			assertThat(globex.loads()).isEqualTo(1);
		});
	}

	@Test
	void purgeInOneTenantLeavesTheOthersEntries() {
		this.contexts.run((context) -> {
			Catalog acme = context.getBean("acme", Catalog.class);
			Catalog globex = context.getBean("globex", Catalog.class);
			acme.save(new Item(1, "books", 1));
			globex.save(new Item(1, "books", 1));
			as("acme", () -> acme.product(1));
			as("globex", () -> globex.product(1));
			CacheTagOperations operations = context.getBean(CacheTagOperations.class);

			long removed = as("acme", () -> operations.purge("category:books"));

			assertThat(removed).isEqualTo(1);
			as("acme", () -> acme.product(1));
			as("globex", () -> globex.product(1));
			assertThat(acme.loads()).isEqualTo(2);
			assertThat(globex.loads()).isEqualTo(1);
		});
	}

	private static <T> T as(String tenant, java.util.function.Supplier<T> action) {
		currentTenant.set(tenant);
		try {
			return action.get();
		}
		finally {
			currentTenant.remove();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class TenantConfiguration {

		@Bean
		TenantResolver tenantResolver() {
			return currentTenant::get;
		}

		@Bean
		Catalog acme() {
			return new Catalog();
		}

		@Bean
		Catalog globex() {
			return new Catalog();
		}

	}

}
