package fr.sas.fhir.common;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;

/**
 * Two nodes' leases on one database (two {@link JobLeases}, as two server nodes have): one holds a job at a time,
 * an expired lease is taken over, and of simultaneous first takers exactly one wins (H2 and PostgreSQL).
 */
public interface JobLeasesContract {

	AutowireCapableBeanFactory beans();

	default JobLeases node() {
		return beans().createBean(JobLeases.class);
	}

	@Test
	default void oneNodeHoldsAJobUntilItGivesItBack() {
		JobLeases a = node();
		JobLeases b = node();
		String job = "test-" + UUID.randomUUID();
		assertThat(a.acquire(job, Duration.ofMinutes(10))).isTrue();
		assertThat(b.acquire(job, Duration.ofMinutes(10))).isFalse();
		assertThat(a.acquire(job, Duration.ofMinutes(10))).as("its holder renews it").isTrue();
		AtomicInteger runs = new AtomicInteger();
		assertThat(b.runAlone(job, Duration.ofMinutes(10), runs::incrementAndGet)).isFalse();
		assertThat(runs).hasValue(0);
		a.release(job);
		assertThat(b.runAlone(job, Duration.ofMinutes(10), runs::incrementAndGet)).isTrue();
		assertThat(runs).hasValue(1);
		assertThat(a.acquire(job, Duration.ofMinutes(10))).as("given back after the run").isTrue();
	}

	@Test
	default void anExpiredLeaseIsTakenOverByAnotherNode() {
		JobLeases a = node();
		JobLeases b = node();
		String job = "test-" + UUID.randomUUID();
		assertThat(a.acquire(job, Duration.ofMinutes(10))).isTrue();
		try {
			TestClock.shift(Duration.ofMinutes(11)); // node a died holding it
			assertThat(b.acquire(job, Duration.ofMinutes(10))).isTrue();
			assertThat(a.acquire(job, Duration.ofMinutes(10))).isFalse();
		} finally {
			TestClock.reset();
		}
	}

	@Test
	default void ofSimultaneousFirstTakersExactlyOneWins() throws Exception {
		List<JobLeases> nodes = List.of(node(), node(), node(), node());
		for (int round = 0; round < 5; round++) {
			String job = "test-" + UUID.randomUUID();
			CountDownLatch start = new CountDownLatch(1);
			ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
			try {
				List<Callable<Boolean>> takers = new ArrayList<>();
				for (JobLeases node : nodes) {
					takers.add(() -> {
						start.await();
						return node.acquire(job, Duration.ofMinutes(10));
					});
				}
				List<Future<Boolean>> results = new ArrayList<>();
				for (Callable<Boolean> taker : takers) {
					results.add(pool.submit(taker));
				}
				start.countDown();
				int won = 0;
				for (Future<Boolean> result : results) {
					won += result.get() ? 1 : 0;
				}
				assertThat(won).as("round " + round).isEqualTo(1);
			} finally {
				pool.shutdownNow();
			}
		}
	}
}
