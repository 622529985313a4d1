package io.github.cachetags.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.cachetags.benchmarks.Contexts.Contender;

import org.springframework.context.support.GenericApplicationContext;

import static io.github.cachetags.benchmarks.Stats.f;

/**
 * Stampede on a cold key: N application instances (each its own context, connection factory and cache manager)
 * times M threads call {@code @Cacheable(sync = true)} on the same cold key at once; the loader takes 50 ms. Counts
 * loader invocations per round and the latency of every call.
 */
final class StampedeHarness {

	private StampedeHarness() {
	}

	static void run(BenchRedis redis, Profile profile) {
		int instances = profile.stampedeInstances();
		int threads = profile.stampedeThreads();
		System.out.println();
		System.out.println(f("== Stampede: %d instances x %d threads on one cold key, 50 ms loader, %d rounds",
				instances, threads, profile.stampedeRounds()));
		System.out.println("| contender | loader calls per round: mean (min-max) | p50 ms | p99 ms | max ms |");
		System.out.println("|---|---|---|---|---|");
		try (RedisAdmin admin = new RedisAdmin(redis)) {
			admin.flushAll();
		}
		long keyBase = 0;
		for (Contender contender : Contender.values()) {
			List<GenericApplicationContext> contexts = new ArrayList<>();
			ExecutorService pool = Executors.newFixedThreadPool(instances * threads);
			try {
				List<ProductService> services = new ArrayList<>();
				for (int i = 0; i < instances; i++) {
					GenericApplicationContext context = Contexts.start(contender, redis);
					contexts.add(context);
					services.add(context.getBean(ProductService.class));
				}
				for (ProductService service : services) {
					service.slowProduct(-1 - keyBase);
				}
				int rounds = profile.stampedeRounds();
				double[] loads = new double[rounds];
				double[] latencies = new double[rounds * instances * threads];
				int sample = 0;
				for (int round = 0; round < rounds; round++) {
					long key = keyBase + round;
					ProductService.slowLoads.set(0);
					CountDownLatch start = new CountDownLatch(1);
					List<Future<Long>> calls = new ArrayList<>();
					for (ProductService service : services) {
						for (int t = 0; t < threads; t++) {
							calls.add(pool.submit(() -> {
								start.await();
								long began = System.nanoTime();
								service.slowProduct(key);
								return System.nanoTime() - began;
							}));
						}
					}
					start.countDown();
					for (Future<Long> call : calls) {
						latencies[sample++] = call.get(60, TimeUnit.SECONDS) / 1e6;
					}
					loads[round] = ProductService.slowLoads.get();
				}
				double meanLoads = java.util.Arrays.stream(loads).average().orElse(Double.NaN);
				System.out.println(f("| %s | %.2f (%.0f-%.0f) | %.1f | %.1f | %.1f |", contender.label, meanLoads,
						Stats.min(loads), Stats.max(loads), Stats.percentile(latencies, 50),
						Stats.percentile(latencies, 99), Stats.max(latencies)));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				throw new IllegalStateException(contender.label, ex);
			}
			finally {
				pool.shutdownNow();
				contexts.forEach(GenericApplicationContext::close);
			}
			keyBase += 1_000_000;
		}
	}

}
