package fr.sas.fhir.common;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Work to redo once the current transaction has committed (caches dropped at a write, again once it is visible). */
public final class AfterCommit {

	private AfterCommit() {}

	/** Runs {@code action} after the current transaction commits; nothing when no transaction is synchronized. */
	public static void run(Runnable action) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					action.run();
				}
			});
		}
	}
}
