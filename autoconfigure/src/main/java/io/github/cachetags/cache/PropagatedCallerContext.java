package io.github.cachetags.cache;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

/**
 * A {@link CallerContext} on Micrometer's context-propagation library: captures every thread-local that has a
 * {@code ThreadLocalAccessor} in the global {@link ContextRegistry} (Spring Security's context, Micrometer
 * observations, and whatever the application registers, such as its tenant holder).
 */
public final class PropagatedCallerContext implements CallerContext {

	private final ContextSnapshotFactory snapshots;

	public PropagatedCallerContext() {
		this(ContextRegistry.getInstance());
	}

	public PropagatedCallerContext(ContextRegistry registry) {
		this.snapshots = ContextSnapshotFactory.builder().contextRegistry(registry).build();
	}

	@Override
	public Snapshot capture() {
		ContextSnapshot snapshot = this.snapshots.captureAll();
		return () -> snapshot.setThreadLocals()::close;
	}

}
