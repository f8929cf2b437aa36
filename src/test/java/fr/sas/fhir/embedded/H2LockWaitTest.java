package fr.sas.fhir.embedded;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Two writes to the slots of one schedule at once, on the embedded default: both bump the schedule's change counter
 * just before they commit, so the second waits for the first's row lock until that commit ends. H2's default lock
 * timeout (1 s) made the second fail with a 500 whenever the first's commit took longer (a bulk load's 500-slot
 * transactions under load); the embedded default waits as PostgreSQL does.
 */
class H2LockWaitTest extends H2ServerTest {

	/**
	 * How long the first write keeps its counter's row lock once the second is committing (and so waiting for that
	 * lock): well above H2's default lock timeout of 1 s.
	 */
	private static final long HELD_MILLIS = 2_500;

	@Autowired
	IInterceptorService storageInterceptors;
	@Autowired
	JdbcTemplate jdbc;

	@Test
	void aWriteWaitsForAnotherWriteToTheSameScheduleToCommitInsteadOfFailing() throws Exception {
		String s = UUID.randomUUID().toString().substring(0, 8);
		OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
		FhirHttp.Response graph = fhir().putAll(List.of(practitioner("lw-p-" + s, "81" + String.format("%010d", Math.floorMod(s.hashCode(), 1_000_000_000L))),
				practitionerRole("lw-r-" + s, "lw-p-" + s), practitionerSchedule("lw-s-" + s, "lw-p-" + s, "lw-r-" + s),
				slot("lw-0-" + s, "lw-s-" + s, t0.plusHours(1), 30)));
		assertThat(graph.status()).as(graph.toString()).isEqualTo(200);
		long before = counter("lw-s-" + s);

		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch secondCommitting = new CountDownLatch(1);
		Object slowCommit = new Object() {
			@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
			public void creating(IBaseResource resource) {
				if (resource instanceof Slot slot && slot.getIdElement().getIdPart().startsWith("lw-1-")) {
					// Registered before the counters' synchronization: the second write is about to bump its counter.
					TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
						@Override
						public void beforeCommit(boolean readOnly) {
							secondCommitting.countDown();
						}
					});
				}
			}

			@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
			public void created(IBaseResource resource) {
				if (resource instanceof Slot slot && slot.getIdElement().getIdPart().startsWith("lw-slow-")) {
					// Registered after the counters' own synchronization: runs once the counter's row is locked.
					TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
						@Override
						public void beforeCommit(boolean readOnly) {
							holding.countDown();
							await(secondCommitting);
							sleepUninterruptibly();
						}
					});
				}
			}
		};
		storageInterceptors.registerInterceptor(slowCommit);
		try {
			CompletableFuture<FhirHttp.Response> slow = CompletableFuture.supplyAsync(
					() -> fhir().putAll(List.of(slot("lw-slow-" + s, "lw-s-" + s, t0.plusHours(2), 30))));
			assertThat(holding.await(30, TimeUnit.SECONDS)).as("the first write reached its commit").isTrue();
			FhirHttp.Response waiting = fhir().putAll(List.of(slot("lw-1-" + s, "lw-s-" + s, t0.plusHours(3), 30)));
			FhirHttp.Response first = slow.get(60, TimeUnit.SECONDS);

			assertThat(first.status()).as(first.toString()).isEqualTo(200);
			assertThat(waiting.status()).as(waiting.toString()).isEqualTo(200);
		} finally {
			storageInterceptors.unregisterInterceptor(slowCommit);
		}
		assertThat(fhir().get("Slot/lw-slow-" + s).status()).isEqualTo(200);
		assertThat(fhir().get("Slot/lw-1-" + s).status()).isEqualTo(200);
		assertThat(counter("lw-s-" + s)).as("both writes bumped the schedule's counter").isEqualTo(before + 2);
	}

	private long counter(String scheduleId) {
		List<Long> versions = jdbc.queryForList("SELECT VERSION FROM SAS_CHANGE_COUNTER WHERE NAME = ?", Long.class,
				"slots:Schedule/" + scheduleId);
		return versions.isEmpty() ? 0 : versions.get(0);
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static void sleepUninterruptibly() {
		long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HELD_MILLIS);
		for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
			try {
				TimeUnit.NANOSECONDS.sleep(left);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}
}
