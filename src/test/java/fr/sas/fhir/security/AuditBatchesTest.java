package fr.sas.fhir.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/** The group commit of the audit trail: a record is committed before its caller goes on, or its caller fails. */
class AuditBatchesTest {

	/** Records persisted in the open transaction (one writer at a time: the batches' lock), committed on commit. */
	private static final class Store extends AbstractPlatformTransactionManager {
		final List<AuditRecord> open = Collections.synchronizedList(new ArrayList<>());
		final Set<AuditRecord> committed = ConcurrentHashMap.newKeySet();
		final AtomicInteger commits = new AtomicInteger();
		final AtomicBoolean failCommits = new AtomicBoolean();

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			if (failCommits.get()) {
				open.clear();
				throw new TransactionSystemException("the database is gone");
			}
			committed.addAll(open);
			open.clear();
			commits.incrementAndGet();
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			open.clear();
		}

		AuditBatches batches() {
			TransactionTemplate template = new TransactionTemplate(this);
			template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
			EntityManager entityManager = mock(EntityManager.class);
			doAnswer(call -> open.add(call.getArgument(0))).when(entityManager).persist(any());
			return new AuditBatches(template, entityManager);
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
	}

	@Test
	void aCallerWhoseRecordWasNotCommittedFails() {
		Store store = new Store();
		AuditBatches batches = store.batches();
		batches.append(record(1));
		store.failCommits.set(true);
		AuditRecord lost = record(2);
		assertThatThrownBy(() -> batches.append(lost)).isInstanceOf(TransactionSystemException.class);
		assertThat(store.committed).doesNotContain(lost).hasSize(1);
		store.failCommits.set(false);
		AuditRecord next = record(3);
		batches.append(next);
		assertThat(store.committed).contains(next).doesNotContain(lost);
	}
}
