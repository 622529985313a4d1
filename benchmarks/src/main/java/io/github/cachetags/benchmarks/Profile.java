package io.github.cachetags.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * How long and how large a run is. {@code quick} fits a few minutes on two cores; {@code full} is the run the
 * published figures come from.
 */
record Profile(String name, int forks, int warmupIterations, int measurementIterations, Duration iterationTime,
		long ballastKeys, List<Integer> purgeSizes, int purgeRuns, int stampedeInstances, int stampedeThreads,
		int stampedeRounds, int memoryEntries, Duration memoryTtl, Duration memoryMaxLoadTime, int cpuCalls) {

	static Profile named(String name) {
		return switch (name) {
			case "quick" -> new Profile("quick", 1, 3, 5, Duration.ofSeconds(1), 1_000_000, List.of(1_000, 10_000),
					2, 4, 8, 10, 20_000, Duration.ofSeconds(10), Duration.ofSeconds(5), 20_000);
			case "full" -> new Profile("full", 2, 6, 8, Duration.ofSeconds(1), 1_000_000,
					List.of(1_000, 10_000, 100_000), 3, 4, 8, 30, 100_000, Duration.ofSeconds(40),
					Duration.ofSeconds(30), 100_000);
			default -> throw new IllegalArgumentException("Unknown profile '" + name + "': use quick or full");
		};
	}

}
