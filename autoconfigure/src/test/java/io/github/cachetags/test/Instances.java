package io.github.cachetags.test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Several application instances at once, each its own context, as a fleet sharing one Redis.
 */
public final class Instances {

	private Instances() {
	}

	/**
	 * Starts one context per runner, runs the body with all of them, then closes them.
	 */
	public static void run(List<ApplicationContextRunner> runners, Body body) {
		run(runners, new ArrayList<>(), body);
	}

	/**
	 * Starts {@code count} contexts of one runner, runs the body with all of them, then closes them.
	 */
	public static void run(ApplicationContextRunner runner, int count, Body body) {
		List<ApplicationContextRunner> runners = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			runners.add(runner);
		}
		run(runners, body);
	}

	private static void run(List<ApplicationContextRunner> runners, List<AssertableApplicationContext> started,
			Body body) {
		if (started.size() == runners.size()) {
			body.accept(started);
			return;
		}
		runners.get(started.size()).run((context) -> {
			started.add(context);
			run(runners, started, body);
		});
	}

	/**
	 * What runs with the instances; may throw.
	 */
	@FunctionalInterface
	public interface Body extends Consumer<List<AssertableApplicationContext>> {

		void acceptThrows(List<AssertableApplicationContext> instances) throws Exception;

		@Override
		default void accept(List<AssertableApplicationContext> instances) {
			try {
				acceptThrows(instances);
			}
			catch (RuntimeException | Error ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
