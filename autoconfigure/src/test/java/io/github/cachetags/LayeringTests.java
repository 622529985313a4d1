package io.github.cachetags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core (cache, tags, store, interceptor, annotations, API) imports nothing from Spring Boot; only the
 * {@code autoconfigure} and {@code actuate} packages do.
 */
class LayeringTests {

	private static final Path SOURCES = Path.of("src/main/java/io/github/cachetags");

	@Test
	void corePackagesDoNotImportSpringBoot() throws IOException {
		List<String> offenders;
		try (Stream<Path> files = Files.walk(SOURCES)) {
			offenders = files.filter((file) -> file.toString().endsWith(".java"))
				.filter((file) -> !isBootShell(SOURCES.relativize(file)))
				.filter(LayeringTests::importsBoot)
				.map(Path::toString)
				.toList();
		}
		assertThat(offenders).isEmpty();
	}

	@Test
	void theScanSeesTheCore() throws IOException {
		try (Stream<Path> files = Files.walk(SOURCES.resolve("cache"))) {
			assertThat(files.filter((file) -> file.toString().endsWith(".java")).count()).isGreaterThan(5);
		}
	}

	private static boolean isBootShell(Path relative) {
		String first = relative.getName(0).toString();
		return first.equals("autoconfigure") || first.equals("actuate");
	}

	private static boolean importsBoot(Path file) {
		try {
			return Files.readAllLines(file).stream().anyMatch((line) -> line.startsWith("import org.springframework.boot"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
