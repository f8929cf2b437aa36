package fr.sas.fhir.monitoring;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Figures a node counts in memory per row key, so the counting threads (requests, the publishers' client) never
 * wait for the database, and adds to its own rows at each flush, in a transaction of its own. A node that dies
 * loses what it had not flushed. {@link CallWindow}, {@link PushedWrites} and {@link RefusedWrites} count with it.
 */
final class PendingRows<K, V> {

	private final Map<K, V> pending = new ConcurrentHashMap<>();
	private final TransactionTemplate ownTransaction;

	PendingRows(PlatformTransactionManager transactions) {
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** Counts {@code value} for {@code key}, added to what is pending with {@code plus}. */
	void add(K key, V value, BinaryOperator<V> plus) {
		pending.merge(key, value, plus);
	}

	/** Updates the figures pending for {@code key} (null when none) in place or anew. */
	void update(K key, BiFunction<K, V, V> change) {
		pending.compute(key, change);
	}

	/**
	 * Takes what is pending and hands each key's figures to {@code addToRow} inside one new transaction; one flush at
	 * a time, so two flushes of a node never both create its row for a key.
	 */
	void flush(BiConsumer<K, V> addToRow) {
		if (pending.isEmpty()) {
			return;
		}
		Map<K, V> taken = new HashMap<>();
		for (K key : List.copyOf(pending.keySet())) {
			V value = pending.remove(key);
			if (value != null) {
				taken.put(key, value);
			}
		}
		synchronized (this) {
			ownTransaction.executeWithoutResult(tx -> taken.forEach(addToRow));
		}
	}

	/** Runs {@code work} (a purge of old rows) in a transaction of its own. */
	<T> T inOwnTransaction(Supplier<T> work) {
		return ownTransaction.execute(tx -> work.get());
	}
}
