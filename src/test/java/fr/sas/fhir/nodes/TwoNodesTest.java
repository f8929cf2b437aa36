package fr.sas.fhir.nodes;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.common.JobLeases;
import fr.sas.fhir.rules.PastSlotHousekeeping;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.PostgresServerTest;
import fr.sas.fhir.support.SecondNodeExtension;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Two server nodes on one PostgreSQL database: node A is this suite's server, node B a second one started beside
 * it (own port, own data directory). Every kind of write made through one node shows in the very next guide
 * search on the other — each node keeps schedules' free slots in memory, so this is the shared change counters
 * at work — and what the database guarantees holds across nodes (one booking per slot).
 */
class TwoNodesTest extends PostgresServerTest {

	private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
	@RegisterExtension
	static final SecondNodeExtension nodeB = new SecondNodeExtension();

	@Autowired
	private PastSlotHousekeeping housekeepingOfA;

	@Autowired
	private JobLeases leasesOfA;

	private final OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusHours(1);
	private final String s = UUID.randomUUID().toString().substring(0, 8);

	private FhirHttp a() {
		return fhir();
	}

	private static FhirHttp b() {
		return nodeB.fhir();
	}

	@Test
	void everyKindOfWriteOnOneNodeShowsInTheNextSearchOnTheOther() {
		String rpps = rpps();
		String other = rpps();
		// a transaction through A
		Response tx = a().putAll(List.of(practitioner("p-" + s, rpps), practitionerRole("r-" + s, "p-" + s),
				practitionerSchedule("sc-" + s, "p-" + s, "r-" + s),
				practitioner("q-" + s, other), practitionerRole("rq-" + s, "q-" + s),
				practitionerSchedule("scq-" + s, "q-" + s, "rq-" + s),
				slot("t1-" + s, "sc-" + s, t0.plusHours(1), 20), slot("t2-" + s, "sc-" + s, t0.plusHours(2), 20)));
		assertThat(tx.status()).as(tx.toString()).isEqualTo(200);
		String search = practitionerSearch(rpps);
		String searchOther = practitionerSearch(other);
		// both nodes now keep the schedule's free slots in memory
		assertThat(matches(b(), search)).containsExactly("Slot/t1-" + s, "Slot/t2-" + s);
		assertThat(matches(a(), search)).containsExactly("Slot/t1-" + s, "Slot/t2-" + s);

		// create through B, seen by A
		assertThat(b().put("/Slot/t3-" + s, slot("t3-" + s, "sc-" + s, t0.plusHours(3), 20)).status()).isEqualTo(201);
		assertThat(matches(a(), search)).containsExactly("Slot/t1-" + s, "Slot/t2-" + s, "Slot/t3-" + s);

		// update through A (moved to the other practitioner's schedule), seen by B on both schedules
		assertThat(matches(b(), searchOther)).isEmpty();
		assertThat(a().put("/Slot/t2-" + s, slot("t2-" + s, "scq-" + s, t0.plusHours(2), 20)).status()).isEqualTo(200);
		assertThat(matches(b(), search)).containsExactly("Slot/t1-" + s, "Slot/t3-" + s);
		assertThat(matches(b(), searchOther)).containsExactly("Slot/t2-" + s);

		// booking through B, seen by A; cancellation through A, seen by B
		String value = UUID.randomUUID().toString();
		Response booked = b().post("/Appointment", booking("t1-" + s, value, rpps, t0.plusHours(1)));
		assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
		assertThat(matches(a(), search)).containsExactly("Slot/t3-" + s);
		Appointment cancelled = booking("t1-" + s, value, rpps, t0.plusHours(1)).setStatus(Appointment.AppointmentStatus.CANCELLED);
		Response cancel = a().put("/Appointment?identifier=urn:oid:1.2.250.1.999.1|" + value, cancelled);
		assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
		assertThat(matches(b(), search)).containsExactly("Slot/t1-" + s, "Slot/t3-" + s);

		// delete through B, seen by A
		assertThat(b().delete("/Slot/t3-" + s).status()).isIn(200, 204);
		assertThat(matches(a(), search)).containsExactly("Slot/t1-" + s);

		// and each node answers what HAPI's generic search answers from the database
		for (FhirHttp node : List.of(a(), b())) {
			assertThat(matches(node, search)).isEqualTo(plainMatches(node, search));
			assertThat(matches(node, searchOther)).isEqualTo(plainMatches(node, searchOther));
		}
	}

	@Test
	void aJobsWriteOnOneNodeIsSeenByTheOther() {
		String rpps = rpps();
		OffsetDateTime longAgo = OffsetDateTime.now(ZoneOffset.UTC).minusDays(9).truncatedTo(ChronoUnit.MINUTES);
		assertThat(b().putAll(List.of(practitioner("jp-" + s, rpps), practitionerRole("jr-" + s, "jp-" + s),
				practitionerSchedule("jsc-" + s, "jp-" + s, "jr-" + s),
				slot("old-" + s, "jsc-" + s, longAgo, 20))).status()).isEqualTo(200);
		assertThat(b().get("/Slot/old-" + s).status()).isEqualTo(200);
		assertThat(housekeepingOfA.purge()).isGreaterThanOrEqualTo(1);
		assertThat(b().get("/Slot/old-" + s).status()).isEqualTo(410);
		assertThat(plainMatches(b(), "/Slot?schedule=Schedule/jsc-" + s)).isEmpty();
	}

	@Test
	void aScheduledJobRunsOnOneNodeAtATime() {
		JobLeases leasesOfB = nodeB.bean(JobLeases.class);
		String job = "two-nodes-" + s;
		java.util.concurrent.atomic.AtomicBoolean bRanMeanwhile = new java.util.concurrent.atomic.AtomicBoolean();
		assertThat(leasesOfA.runAlone(job, java.time.Duration.ofMinutes(5),
				() -> bRanMeanwhile.set(leasesOfB.runAlone(job, java.time.Duration.ofMinutes(5), () -> {})))).isTrue();
		assertThat(bRanMeanwhile).as("B ran the job while A held its lease").isFalse();
		// once A gave the lease back, B's turn
		assertThat(leasesOfB.runAlone(job, java.time.Duration.ofMinutes(5), () -> {})).isTrue();
	}

	@Test
	void ofConcurrentBookingsOfOneSlotThroughBothNodesExactlyOneSucceeds() throws Exception {
		String rpps = rpps();
		assertThat(a().putAll(List.of(practitioner("cp-" + s, rpps), practitionerRole("cr-" + s, "cp-" + s),
				practitionerSchedule("csc-" + s, "cp-" + s, "cr-" + s),
				slot("c1-" + s, "csc-" + s, t0.plusHours(5), 20))).status()).isEqualTo(200);
		String search = practitionerSearch(rpps);
		assertThat(matches(a(), search)).containsExactly("Slot/c1-" + s);
		assertThat(matches(b(), search)).containsExactly("Slot/c1-" + s);

		ExecutorService pool = Executors.newFixedThreadPool(12);
		List<Response> answers = new ArrayList<>();
		try {
			List<Callable<Response>> bookings = new ArrayList<>();
			for (int i = 0; i < 12; i++) {
				FhirHttp node = i % 2 == 0 ? a() : b();
				bookings.add(() -> node.post("/Appointment", booking("c1-" + s, UUID.randomUUID().toString(), rpps, t0.plusHours(5))));
			}
			for (Future<Response> f : pool.invokeAll(bookings)) {
				answers.add(f.get());
			}
		} finally {
			pool.shutdownNow();
		}
		assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
		assertThat(answers).filteredOn(r -> r.status() != 201)
				.allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(409));
		assertThat(a().get("/Appointment?slot=Slot/c1-" + s).bundle().getTotal()).isEqualTo(1);
		assertThat(((Slot) b().get("/Slot/c1-" + s).resource()).getStatus()).isEqualTo(Slot.SlotStatus.BUSY);
		assertThat(matches(a(), search)).isEmpty();
		assertThat(matches(b(), search)).isEmpty();
	}

	private static String rpps() {
		return "81" + String.format("%010d", java.util.concurrent.ThreadLocalRandom.current().nextLong(10_000_000_000L));
	}

	private String practitionerSearch(String rpps) {
		return "/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&start=ge" + t0.format(SECONDS)
				+ "&start=le" + t0.plusHours(24).format(SECONDS) + "&schedule.actor:Practitioner.identifier="
				+ IDNPS_SYSTEM + "|" + rpps + "&status=free";
	}

	private static Appointment booking(String slotId, String value, String rpps, OffsetDateTime start) {
		Appointment appointment = appointment("x", value, rpps, start);
		appointment.setIdElement(null);
		appointment.addSlot(new Reference("Slot/" + slotId));
		return appointment;
	}


	private static List<String> matches(FhirHttp node, String url) {
		return matchesOf(node.get(url));
	}

	private static List<String> plainMatches(FhirHttp node, String url) {
		return matchesOf(node.get(url, "X-Sas-Search-Path", "hapi"));
	}

	private static List<String> matchesOf(Response response) {
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return response.matches().stream().sorted().toList();
	}
}
