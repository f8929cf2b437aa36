package fr.sas.fhir.common;

import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One object per transaction for work gathered along it (the schedules a transaction changed, the counters it
 * bumps), found by key among the transaction's bound resources: a lookup in a map, where scanning the
 * transaction's synchronizations costs a sort of all of them at each call (a 500-slot transaction registered
 * and scanned hundreds). The object is registered as a synchronization of the transaction once, when created, and
 * unbound when the transaction completes.
 */
public final class PerTransaction {

	private PerTransaction() {}

	/**
	 * The current transaction's object for {@code key}, created by {@code create} and registered at the first call;
	 * null when no transaction is synchronized. A key that names the transaction's own session keeps an inner
	 * {@code REQUIRES_NEW} transaction's object apart from the outer one's (resources bound here are not suspended).
	 */
	@SuppressWarnings("unchecked")
	public static <T extends TransactionSynchronization> T of(Object key, Supplier<T> create) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return null;
		}
		T bound = (T) TransactionSynchronizationManager.getResource(key);
		if (bound != null) {
			return bound;
		}
		T created = create.get();
		TransactionSynchronizationManager.bindResource(key, created);
		TransactionSynchronizationManager.registerSynchronization(created);
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCompletion(int status) {
				TransactionSynchronizationManager.unbindResourceIfPossible(key);
			}
		});
		return created;
	}
}
