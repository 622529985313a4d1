package io.github.cachetags.interceptor;

import io.github.cachetags.cache.Deferral;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Defers cache changes made inside a Spring-managed transaction until it completes; outside one, they take effect
 * at once. A failure of a deferred change is logged (the transaction has completed and cannot be failed).
 */
public final class TransactionDeferral implements Deferral {

	/** The shared instance. */
	public static final TransactionDeferral INSTANCE = new TransactionDeferral();

	private static final Log logger = LogFactory.getLog(TransactionDeferral.class);

	private TransactionDeferral() {
	}

	@Override
	public void afterTransaction(Runnable onCommit, Runnable onRollback) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			onCommit.run();
			return;
		}
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void afterCompletion(int status) {
				try {
					if (status == STATUS_COMMITTED) {
						onCommit.run();
					}
					else {
						onRollback.run();
					}
				}
				catch (RuntimeException ex) {
					logger.warn("A cache change deferred to the end of a transaction failed: " + ex, ex);
				}
			}

		});
	}

}
