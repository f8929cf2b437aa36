package fr.sas.fhir.security;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes the audit records of requests that write nothing (searches, reads, operations, refusals), several in one
 * transaction when several requests finish at once — a group commit: each caller queues its record and takes the
 * writer's lock; the holder writes every queued record and commits, so a caller that gets the lock after its
 * record was written by another just returns. {@link #append} returns only once its record is committed, and
 * throws when the transaction holding it failed: nothing is answered unrecorded. Alone, a request pays one
 * transaction as before; four at once on two cores share commits instead of queueing behind them.
 */
final class AuditBatches {

	/** A batch larger than this is written in several transactions (bounded statement batches). */
	static final int MAX_BATCH = 100;

	private final Consumer<List<AuditRecord>> writeTogether;
	private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
	private final ReentrantLock writer = new ReentrantLock();

	/** @param writeTogether writes the records in one transaction, and throws when it did not commit */
	AuditBatches(Consumer<List<AuditRecord>> writeTogether) {
		this.writeTogether = writeTogether;
	}

	/** One queued record: written (and by whom failed) once {@code done}; read under the writer's lock. */
	private static final class Pending {
		final AuditRecord record;
		boolean done;
		RuntimeException failure;

		Pending(AuditRecord record) {
			this.record = record;
		}
	}

	/** Writes the record, alone or with others queued at the same time; returns once it is committed. */
	void append(AuditRecord record) {
		Pending mine = new Pending(record);
		queue.add(mine);
		while (true) {
			writer.lock();
			try {
				if (!mine.done) {
					writeQueued();
				}
				if (mine.done) {
					if (mine.failure != null) {
						throw mine.failure;
					}
					return;
				}
			} finally {
				writer.unlock();
			}
		}
	}

	/** Under the lock: one transaction for up to {@link #MAX_BATCH} queued records, each marked with its outcome. */
	private void writeQueued() {
		List<Pending> batch = new ArrayList<>();
		for (Pending next; batch.size() < MAX_BATCH && (next = queue.poll()) != null; ) {
			batch.add(next);
		}
		if (batch.isEmpty()) {
			return;
		}
		RuntimeException failure = null;
		try {
			writeTogether.accept(batch.stream().map(p -> p.record).toList());
		} catch (RuntimeException e) {
			failure = e;
		}
		for (Pending p : batch) {
			p.failure = failure;
			p.done = true;
		}
	}
}
