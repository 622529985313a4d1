package io.github.cachetags.it;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

import io.github.cachetags.it.Catalog.Item;

import static org.awaitility.Awaitility.await;

/**
 * Traffic on the test catalogue for fault tests, with a check for stale reads.
 * <p>
 * Readers call the cached {@link Catalog#product}; one writer changes random rows, alternately by a database write
 * followed by a purge of the row's tag, and by a {@code @CachePut} ({@link Catalog#write}). Every instance has its
 * own {@link Catalog} (its "database"), and the writer changes all of them before it invalidates. A read is stale
 * when it returns an older version than a write that had returned before the read began: for readers of the
 * writer's instance, any write that returned; for readers of other instances, a write that returned while the
 * writer's instance had nothing queued (a queued invalidation reaches them only once it is sent, as documented).
 */
final class CatalogTraffic {

	static final String CATEGORY = "books";

	private static final Duration READ_PAUSE = Duration.ofNanos(100_000);

	private static final Duration WRITE_PAUSE = Duration.ofMillis(5);

	private final int rows;

	private final List<Catalog> databases;

	/** Per row: the version of the latest write that returned. */
	private final AtomicLongArray returned;

	/** Per row: the version of the latest write that returned and was known to have reached Redis. */
	private final AtomicLongArray published;

	private final Map<String, String> writeTimes = new ConcurrentHashMap<>();

	final LongAdder reads = new LongAdder();

	final LongAdder purges = new LongAdder();

	final LongAdder puts = new LongAdder();

	final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

	final ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean running = new AtomicBoolean(true);

	private volatile boolean checking;

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final List<Future<?>> workers = new ArrayList<>();

	/**
	 * @param rows how many rows the catalogue has; each starts at version 1 in every database
	 * @param databases the catalogue of every instance
	 */
	CatalogTraffic(int rows, Catalog... databases) {
		this.rows = rows;
		this.databases = List.of(databases);
		this.returned = new AtomicLongArray(rows);
		this.published = new AtomicLongArray(rows);
		for (int id = 0; id < rows; id++) {
			for (Catalog database : databases) {
				database.save(new Item(id, CATEGORY, 1));
			}
			this.returned.set(id, 1);
			this.published.set(id, 1);
		}
	}

	/**
	 * Starts {@code threads} readers on an instance's catalogue.
	 * @param writersInstance whether the instance is the writer's (it never reads past its own queued invalidations)
	 */
	CatalogTraffic readers(Catalog catalog, int threads, boolean writersInstance) {
		for (int i = 0; i < threads; i++) {
			this.workers.add(this.threads.submit(() -> read(catalog, writersInstance ? this.returned : this.published)));
		}
		return this;
	}

	/**
	 * Starts the writer on an instance's catalogue.
	 * @param purge purges the tag of a row ({@code product:<id>}) once its new version is in every database
	 * @param pending how many invalidations the writer's instance has queued
	 */
	CatalogTraffic writer(Catalog catalog, LongConsumer purge, IntSupplier pending) {
		this.workers.add(this.threads.submit(() -> write(catalog, purge, pending)));
		return this;
	}

	/** From now on, stale reads are recorded. */
	void check() {
		this.checking = true;
	}

	/** Waits (bounded) until the readers have made {@code reads} further reads and the writer {@code writes}. */
	void awaitProgress(long reads, long writes) {
		long readsTarget = this.reads.sum() + reads;
		long writesTarget = writes() + writes;
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(5))
			.until(() -> this.reads.sum() >= readsTarget && writes() >= writesTarget);
	}

	/** Writes that returned so far. */
	long writes() {
		return this.purges.sum() + this.puts.sum();
	}

	/** Stops every reader and the writer, and waits for them. */
	void stop() throws Exception {
		this.running.set(false);
		for (Future<?> worker : this.workers) {
			worker.get(60, TimeUnit.SECONDS);
		}
		this.threads.shutdown();
	}

	/** The latest version of a row. */
	long version(long id) {
		return this.returned.get((int) id);
	}

	/** Up to five stale reads, one per line. */
	String staleSample() {
		return String.join(System.lineSeparator(), this.stale.stream().limit(5).toList());
	}

	private Void read(Catalog catalog, AtomicLongArray expected) {
		while (this.running.get()) {
			int id = ThreadLocalRandom.current().nextInt(this.rows);
			boolean checked = this.checking;
			long before = expected.get(id);
			int loadsBefore = catalog.loads();
			try {
				Item item = catalog.product(id);
				this.reads.increment();
				if (checked && item.version() < before) {
					this.stale.add("row " + id + ": read v" + item.version() + " after v" + before + " (written "
							+ this.writeTimes.get(id + "@" + before) + ") at " + LocalTime.now()
							+ ", loads during the read: " + (catalog.loads() - loadsBefore));
				}
			}
			catch (RuntimeException ex) {
				this.failures.add("read: " + ex);
			}
			// uncached reads (Redis skipped) are pure CPU: leave some to the Redis servers on a small machine
			LockSupport.parkNanos(READ_PAUSE.toNanos());
		}
		return null;
	}

	private Void write(Catalog catalog, LongConsumer purge, IntSupplier pending) {
		boolean byPut = false;
		while (this.running.get()) {
			int id = ThreadLocalRandom.current().nextInt(this.rows);
			Item item = new Item(id, CATEGORY, (int) this.returned.get(id) + 1);
			String began = LocalTime.now().toString();
			byPut = !byPut;
			try {
				for (Catalog database : this.databases) {
					if (!byPut || database != catalog) {
						database.save(item);
					}
				}
				if (byPut) {
					catalog.write(item);
					this.puts.increment();
				}
				else {
					purge.accept(id);
					this.purges.increment();
				}
				this.returned.set(id, item.version());
				this.writeTimes.put(id + "@" + item.version(), began + " .. " + LocalTime.now());
				if (pending.getAsInt() == 0) {
					// nothing queued: every write that returned so far has reached Redis
					for (int row = 0; row < this.rows; row++) {
						this.published.set(row, this.returned.get(row));
					}
				}
			}
			catch (RuntimeException ex) {
				this.failures.add("write: " + ex);
			}
			LockSupport.parkNanos(WRITE_PAUSE.toNanos());
		}
		return null;
	}

}
