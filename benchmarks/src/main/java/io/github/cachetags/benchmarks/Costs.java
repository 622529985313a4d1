package io.github.cachetags.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Figures of the plain harnesses (Redis CPU, memory, purge) kept next to the JMH results, so that the ratio table
 * can report them with their goals: {@code costs.properties} in the results directory.
 */
final class Costs {

	private static final String FILE = "costs.properties";

	private static Path results;

	private Costs() {
	}

	/** Where this run's figures go. */
	static void in(Path directory) {
		results = directory;
	}

	static synchronized void record(String name, double value) {
		if (results == null) {
			return;
		}
		Properties costs = read(results);
		costs.setProperty(name, Double.toString(value));
		try (OutputStream out = Files.newOutputStream(results.resolve(FILE))) {
			costs.store(out, "figures of the plain harnesses");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static Properties read(Path directory) {
		Properties costs = new Properties();
		Path file = directory.resolve(FILE);
		if (Files.exists(file)) {
			try (InputStream in = Files.newInputStream(file)) {
				costs.load(in);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return costs;
	}

}
