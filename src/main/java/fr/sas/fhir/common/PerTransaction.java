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
	public static <T extends TransactionSynchronization> T of(Object key, Supplier<T> create) {
		return bound(key, create, true);
	}

	/**
	 * The current transaction's object for {@code key} that does nothing at commit (what a read-only transaction
	 * has read so far, say): bound at the first call, unbound when the transaction completes; null when no
	 * transaction is synchronized.
	 */
	public static <T> T value(Object key, Supplier<T> create) {
		return bound(key, create, false);
	}

	@SuppressWarnings("unchecked")
	private static <T> T bound(Object key, Supplier<T> create, boolean synchronization) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return null;
		}
		T bound = (T) TransactionSynchronizationManager.getResource(key);
		if (bound != null) {
			return bound;
		}
		T created = create.get();
		TransactionSynchronizationManager.bindResource(key, created);
		if (synchronization) {
			TransactionSynchronizationManager.registerSynchronization((TransactionSynchronization) created);
		}
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCompletion(int status) {
				TransactionSynchronizationManager.unbindResourceIfPossible(key);
			}
		});
		return created;
	}
}
