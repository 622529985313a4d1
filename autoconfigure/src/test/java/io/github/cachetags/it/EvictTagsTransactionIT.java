package io.github.cachetags.it;

import javax.sql.DataSource;

import io.github.cachetags.it.Catalog.Item;
import io.github.cachetags.tags.InvalidTagException;
import io.github.cachetags.annotation.EvictTags;
import io.github.cachetags.test.CacheTagsContexts;
import io.github.cachetags.test.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code @EvictTags}, {@code @CacheEvict} and {@code clear} inside a transaction take effect when it ends: after a
 * commit, and after a rollback too (an inner {@code REQUIRES_NEW} transaction may have committed the change).
 */
class EvictTagsTransactionIT {

	private final ApplicationContextRunner contexts = CacheTagsContexts.onRedis(RedisServer.shared())
		.withUserConfiguration(TransactionalConfiguration.class);

	@Test
	void purgeWaitsForTheCommit() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			TransactionTemplate transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);

			transactions.executeWithoutResult((status) -> {
				catalog.touch(1);
				catalog.product(1);
				assertThat(catalog.loads()).as("still cached inside the transaction").isEqualTo(1);
			});

			catalog.product(1);
			assertThat(catalog.loads()).as("purged after commit").isEqualTo(2);
		});
	}

	@Test
	void rollbackStillPurgesBecauseAnInnerTransactionMayHaveCommitted() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			TransactionTemplate transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);

			transactions.executeWithoutResult((status) -> {
				catalog.touch(1);
				status.setRollbackOnly();
			});

			catalog.product(1);
			assertThat(catalog.loads()).isEqualTo(2);
		});
	}

	@Test
	void innerRequiresNewCommitFollowedByAnOuterRollbackIsPurged() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			InnerWrites inner = context.getBean(InnerWrites.class);
			TransactionTemplate transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);

			transactions.executeWithoutResult((status) -> {
				inner.update(catalog, new Item(1, "books", 2));
				status.setRollbackOnly();
			});

			assertThat(catalog.product(1).version()).as("the inner transaction committed version 2").isEqualTo(2);
		});
	}

	@Test
	void cacheEvictAndClearInsideATransactionWaitForItsEnd() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			TransactionTemplate transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			catalog.save(new Item(1, "books", 1));
			catalog.save(new Item(2, "books", 1));
			catalog.plain(1);
			catalog.product(2);
			int loads = catalog.loads();

			transactions.executeWithoutResult((status) -> {
				catalog.evictPlain(1);
				catalog.clearProducts();
				catalog.plain(1);
				catalog.product(2);
				assertThat(catalog.loads()).as("still cached inside the transaction").isEqualTo(loads);
			});

			catalog.plain(1);
			catalog.product(2);
			assertThat(catalog.loads()).as("evicted and cleared after the commit").isEqualTo(loads + 2);
		});
	}

	@Test
	void anInvalidTagFailsTheMethodInsideItsTransactionAndPurgesNothing() {
		this.contexts.run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			BadTags bad = context.getBean(BadTags.class);
			TransactionTemplate transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			catalog.save(new Item(1, "books", 1));
			catalog.product(1);

			assertThatExceptionOfType(InvalidTagException.class)
				.isThrownBy(() -> transactions.executeWithoutResult((status) -> bad.update()));

			catalog.product(1);
			assertThat(catalog.loads()).isEqualTo(1);
		});
	}

	/**
	 * Tags a change that it commits in a transaction of its own, called from inside another transaction.
	 */
	static class InnerWrites {

		private final Saver saver;

		InnerWrites(Saver saver) {
			this.saver = saver;
		}

		@EvictTags({ "'product:' + #item.id()" })
		public void update(Catalog catalog, Item item) {
			this.saver.save(catalog, item);
		}

	}

	static class Saver {

		@Transactional(propagation = Propagation.REQUIRES_NEW)
		public void save(Catalog catalog, Item item) {
			catalog.save(item);
		}

	}

	static class BadTags {

		@EvictTags({ "'category:books'", "'caf\u00e9'" })
		public void update() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@EnableTransactionManagement
	static class TransactionalConfiguration {

		@Bean
		Catalog catalog() {
			return new Catalog();
		}

		@Bean
		Saver saver() {
			return new Saver();
		}

		@Bean
		InnerWrites innerWrites(Saver saver) {
			return new InnerWrites(saver);
		}

		@Bean
		BadTags badTags() {
			return new BadTags();
		}

		@Bean
		DataSource dataSource() {
			return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2).generateUniqueName(true).build();
		}

		@Bean
		PlatformTransactionManager transactionManager(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

	}

}
