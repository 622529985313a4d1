package io.github.cachetags.benchmarks;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import static io.github.cachetags.benchmarks.Stats.f;

/**
 * Runs the benchmarks of one profile against one {@code redis-server} and writes the results under
 * {@code benchmarks/target/results/<profile>/}: JMH JSON ({@code hit-1t.json}, {@code hit-8t.json},
 * {@code put.json}), everything printed ({@code output.txt}) and the plot ({@code performance.png}).
 * <p>
 * Usage: {@code java -jar benchmarks/target/cachetags-benchmarks.jar quick|full [--only hit,put,purge,stampede,
 * memory,cpu] [--png docs/performance.png]}
 */
public final class Main {

	static final List<String> PARTS = List.of("hit", "put", "cpu", "purge", "stampede", "memory");

	private Main() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 0) {
			System.err.println("Usage: java -jar cachetags-benchmarks.jar quick|full [--only "
					+ String.join(",", PARTS) + "] [--png file]");
			System.exit(2);
		}
		Profile profile = Profile.named(args[0]);
		Set<String> parts = new LinkedHashSet<>(PARTS);
		Path extraPng = null;
		for (int i = 1; i < args.length; i++) {
			if (args[i].equals("--only") && i + 1 < args.length) {
				parts = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
			}
			else if (args[i].equals("--png") && i + 1 < args.length) {
				extraPng = Path.of(args[++i]);
			}
			else {
				throw new IllegalArgumentException("Unknown argument " + args[i]);
			}
		}
		Path results = resultsDirectory().resolve(profile.name());
		Files.createDirectories(results);
		PrintStream console = System.out;
		try (OutputStream file = new FileOutputStream(results.resolve("output.txt").toFile(),
				!parts.containsAll(PARTS))) {
			System.setOut(new PrintStream(new Tee(console, file), true));
			run(profile, parts, results, extraPng);
		}
		finally {
			System.setOut(console);
		}
	}

	private static void run(Profile profile, Set<String> parts, Path results, Path extraPng)
			throws RunnerException, IOException {
		Contexts.quietLogs();
		Costs.in(results);
		long started = System.nanoTime();
		try (BenchRedis redis = BenchRedis.start(); RedisAdmin admin = new RedisAdmin(redis)) {
			System.out.println(f("# CacheTags benchmarks, profile %s, parts %s, started %s", profile.name(), parts,
					Instant.now()));
			System.out.println(f("# machine: %d cores (availableProcessors), %s %s, JDK %s (%s), Redis %s (%s)",
					Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
					System.getProperty("os.arch"), System.getProperty("java.version"),
					System.getProperty("java.vm.name"), admin.version(), redis.kind()));
			System.out.println(f("# JMH: %d fork(s), %d warm-up and %d measured iterations of %d s", profile.forks(),
					profile.warmupIterations(), profile.measurementIterations(), profile.iterationTime().toSeconds()));
			if (parts.contains("hit")) {
				jmh(profile, redis, HitBenchmark.class, 1, results.resolve("hit-1t.json"));
				jmh(profile, redis, HitBenchmark.class, 8, results.resolve("hit-8t.json"));
			}
			if (parts.contains("put")) {
				jmh(profile, redis, PutBenchmark.class, 1, results.resolve("put.json"));
			}
			if (parts.contains("cpu")) {
				RedisCpuHarness.run(redis, profile);
			}
			if (parts.contains("purge")) {
				PurgeHarness.run(redis, profile);
			}
			if (parts.contains("stampede")) {
				StampedeHarness.run(redis, profile);
			}
			if (parts.contains("memory")) {
				MemoryHarness.run(redis, profile);
			}
			List<Plot.Ratio> ratios = Plot.ratios(results);
			if (!ratios.isEmpty()) {
				Plot.print(ratios);
				Plot.printPurgeGoal(results);
				String subtitle = f("Profile %s.", profile.name());
				Plot.draw(ratios, results.resolve("performance.png"), subtitle);
				if (extraPng != null) {
					Plot.draw(ratios, extraPng, subtitle);
				}
			}
		}
		System.out.println(f("# done in %s; results in %s", Duration.ofSeconds((System.nanoTime() - started) / 1_000_000_000L),
				results));
	}

	private static void jmh(Profile profile, BenchRedis redis, Class<?> benchmark, int threads, Path json)
			throws RunnerException {
		System.out.println();
		System.out.println(f("== JMH %s, %d thread(s) -> %s", benchmark.getSimpleName(), threads, json));
		ChainedOptionsBuilder options = new OptionsBuilder().include(benchmark.getName() + "\\.")
			.forks(profile.forks())
			.warmupIterations(profile.warmupIterations())
			.warmupTime(TimeValue.seconds(profile.iterationTime().toSeconds()))
			.measurementIterations(profile.measurementIterations())
			.measurementTime(TimeValue.seconds(profile.iterationTime().toSeconds()))
			.threads(threads)
			.jvmArgsAppend("-D" + BenchRedis.PROPERTY + "=" + redis.address(), "-Xmx1g")
			.resultFormat(ResultFormatType.JSON)
			.result(json.toString());
		new Runner(options.build(), OutputFormatFactory.createFormatInstance(System.out, VerboseMode.NORMAL)).run();
	}

	/** {@code target/results} next to the benchmark jar, else under the working directory. */
	private static Path resultsDirectory() {
		try {
			Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			if (Files.isRegularFile(jar)) {
				return jar.getParent().resolve("results");
			}
		}
		catch (URISyntaxException | RuntimeException ex) {
			// fall through
		}
		return Path.of("benchmarks", "target", "results");
	}

	private static final class Tee extends OutputStream {

		private final List<OutputStream> outs = new ArrayList<>();

		Tee(OutputStream... outs) {
			this.outs.addAll(Arrays.asList(outs));
		}

		@Override
		public void write(int b) throws IOException {
			for (OutputStream out : this.outs) {
				out.write(b);
			}
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			for (OutputStream out : this.outs) {
				out.write(b, off, len);
			}
		}

		@Override
		public void flush() throws IOException {
			for (OutputStream out : this.outs) {
				out.flush();
			}
		}

	}

}
