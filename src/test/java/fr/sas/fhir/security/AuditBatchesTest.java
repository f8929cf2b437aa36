package fr.sas.fhir.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The group commit of the audit trail: a record is committed before its caller goes on, or its caller fails. */
class AuditBatchesTest {

	/** Commits each batch it is given, unless told to fail; never two batches at once (the batches' lock). */
	private static final class Store {
		final Set<AuditRecord> committed = ConcurrentHashMap.newKeySet();
		final AtomicInteger commits = new AtomicInteger();
		final AtomicInteger writing = new AtomicInteger();
		final AtomicBoolean overlapped = new AtomicBoolean();
		final AtomicBoolean failCommits = new AtomicBoolean();

		void write(List<AuditRecord> records) {
			if (writing.incrementAndGet() > 1) {
				overlapped.set(true);
			}
			try {
				if (failCommits.get()) {
					throw new IllegalStateException("the database is gone");
				}
				committed.addAll(records);
				commits.incrementAndGet();
			} finally {
				writing.decrementAndGet();
			}
		}

		AuditBatches batches() {
			return new AuditBatches(this::write);
		}
	}

	private static AuditRecord record(int n) {
		return new AuditRecord(Instant.EPOCH, "client-" + n, "LRM", "127.0.0.1", "search-type", "Slot?n=" + n, 200, null);
	}

	@Test
	void everyRecordOfConcurrentCallersIsCommittedOnceBeforeItsCallerGoesOn() throws Exception {
		Store store = new Store();
		AuditBatches batches = store.batches();
		int threads = 8;
		int each = 200;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<Integer>> notCommittedOnReturn = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			notCommittedOnReturn.add(pool.submit(() -> {
				start.await();
				int missing = 0;
				for (int i = 0; i < each; i++) {
					AuditRecord record = record(thread * each + i);
					batches.append(record);
					if (!store.committed.contains(record)) {
						missing++;
					}
				}
				return missing;
			}));
		}
		start.countDown();
		for (Future<Integer> f : notCommittedOnReturn) {
			assertThat(f.get(60, TimeUnit.SECONDS)).isZero();
		}
		pool.shutdown();
		assertThat(store.committed).hasSize(threads * each);
		assertThat(store.commits.get()).isBetween(1, threads * each);
		assertThat(store.overlapped).isFalse();
	}

	@Test
	void aCallerWhoseRecordWasNotCommittedFails() {
		Store store = new Store();
		AuditBatches batches = store.batches();
		batches.append(record(1));
		store.failCommits.set(true);
		AuditRecord lost = record(2);
		assertThatThrownBy(() -> batches.append(lost)).isInstanceOf(IllegalStateException.class);
		assertThat(store.committed).doesNotContain(lost).hasSize(1);
		store.failCommits.set(false);
		AuditRecord next = record(3);
		batches.append(next);
		assertThat(store.committed).contains(next).doesNotContain(lost);
	}
}
