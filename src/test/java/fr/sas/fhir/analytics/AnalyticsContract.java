package fr.sas.fhir.analytics;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.rules.PastSlotHousekeeping;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The indicators answer what the test wrote: each figure is compared with the count the test makes of its own
 * resources, in a stratum only its resources fill (a département and a publisher of their own).
 */
abstract class AnalyticsContract {

	static final ZoneId PARIS = ZoneId.of("Europe/Paris");

	@Autowired
	DayClosing dayClosing;

	@Autowired
	PastSlotHousekeeping housekeeping;

	@Autowired
	SlotSummaries slotSummaries;

	@Autowired
	javax.sql.DataSource dataSource;

	@Autowired
	FactsBackfill backfill;

	abstract FhirHttp fhir();

	private final String run = UUID.randomUUID().toString().substring(0, 8);
	private final String publisher = "analytics-" + run;

	private FhirHttp asPublisher() {
		return fhir().with(fr.sas.fhir.support.ServerTestBase.PUBLISHER_HEADER, publisher);
	}

	private static String rpps() {
		return "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
	}

	/** A practitioner in the postal code's département, with a schedule; returns the schedule id. */
	private String practitionerIn(String name, String postalCode) {
		String p = "an-" + run + "-p-" + name;
		PractitionerRole role = practitionerRole("an-" + run + "-r-" + name, p);
		((Location) role.getContained().get(0)).getAddress().setPostalCode(postalCode);
		put("/Practitioner/" + p, practitioner(p, rpps()));
		put("/PractitionerRole/an-" + run + "-r-" + name, role);
		String schedule = "an-" + run + "-s-" + name;
		put("/Schedule/" + schedule, practitionerSchedule(schedule, p, "an-" + run + "-r-" + name));
		return schedule;
	}

	private void put(String path, org.hl7.fhir.r4.model.Resource resource) {
		Response response = asPublisher().put(path, resource);
		assertThat(response.status()).as(response.toString()).isIn(200, 201);
	}

	private MeasureReport evaluate(String measure, LocalDate start, LocalDate end, String stratifiers) {
		Response response = fhir().get("/Measure/" + measure + "/$evaluate-measure?periodStart=" + start + "&periodEnd=" + end
				+ (stratifiers == null ? "" : "&stratifier=" + stratifiers));
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return (MeasureReport) response.resource();
	}

	/** A stratum's count (or hours x 100 for a score), 0 when the stratum is absent. */
	static long stratum(MeasureReport report, String group, String stratifier, String value) {
		for (MeasureReport.MeasureReportGroupComponent g : report.getGroup()) {
			if (!group.equals(g.getCode().getCodingFirstRep().getCode())) {
				continue;
			}
			for (MeasureReport.MeasureReportGroupStratifierComponent s : g.getStratifier()) {
				if (!stratifier.equals(s.getCodeFirstRep().getCodingFirstRep().getCode())) {
					continue;
				}
				for (MeasureReport.StratifierGroupComponent stratum : s.getStratum()) {
					if (value.equals(stratum.getValue().getText())) {
						return stratum.hasMeasureScore() ? stratum.getMeasureScore().getValue().movePointRight(2).longValueExact()
								: stratum.getPopulationFirstRep().getCount();
					}
				}
				return 0;
			}
		}
		throw new AssertionError("no stratifier " + stratifier + " in group " + group);
	}

	static long total(MeasureReport report, String group) {
		MeasureReport.MeasureReportGroupComponent g = report.getGroup().stream()
				.filter(x -> group.equals(x.getCode().getCodingFirstRep().getCode())).findFirst().orElseThrow();
		return g.hasMeasureScore() ? g.getMeasureScore().getValue().movePointRight(2).longValueExact() : g.getPopulationFirstRep().getCount();
	}

	@Test
	void slotIndicatorsEqualTheSlotsWritten() {
		OffsetDateTime base = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withHour(8).withMinute(0).withSecond(0).withNano(0);
		List<String> schedules = List.of(practitionerIn("a", "97300"), practitionerIn("b", "97310"));
		// SOS Médecins in Cayenne too
		String org = "an-" + run + "-sos-org";
		put("/Organization/" + org, sosOrganization(org, "3" + ("9" + rpps().substring(1, 12) + "01")));
		Location sosPlace = sosLocation("an-" + run + "-sos-loc", org);
		sosPlace.getAddress().setPostalCode("97300");
		put("/Location/" + sosPlace.getIdPart(), sosPlace);
		put("/Schedule/an-" + run + "-sos-s", sosSchedule("an-" + run + "-sos-s", sosPlace.getIdPart()));

		Map<String, Long> slots = new TreeMap<>();
		Map<String, Long> minutes = new TreeMap<>();
		Set<String> days = new HashSet<>();
		int n = 0;
		for (int i = 0; i < 7; i++) {
			String schedule = schedules.get(i % 2);
			int length = 15 + 5 * i;
			OffsetDateTime start = base.plusHours(i);
			put("/Slot/an-" + run + "-" + n, slot("an-" + run + "-" + n, schedule, start, length));
			n++;
			slots.merge("individual", 1L, Long::sum);
			minutes.merge("individual", (long) length, Long::sum);
			days.add(start.atZoneSameInstant(PARIS).toLocalDate().toString());
		}
		for (int i = 0; i < 3; i++) {
			put("/Slot/an-" + run + "-" + n, sosSlot("an-" + run + "-" + n, "an-" + run + "-sos-s", base.plusHours(i), 30));
			n++;
			slots.merge("sos", 1L, Long::sum);
			minutes.merge("sos", 30L, Long::sum);
		}
		// each practitioner also the next day: a practitioner of two days, one of them changed, is still one
		for (int i = 0; i < 2; i++) {
			put("/Slot/an-" + run + "-" + n, slot("an-" + run + "-" + n, schedules.get(i), base.plusDays(1).plusHours(i), 20));
			n++;
			slots.merge("individual", 1L, Long::sum);
			minutes.merge("individual", 20L, Long::sum);
		}
		LocalDate from = base.atZoneSameInstant(PARIS).toLocalDate().minusDays(1);
		LocalDate to = from.plusDays(3);
		long all = slots.values().stream().mapToLong(Long::longValue).sum();
		long allMinutes = minutes.values().stream().mapToLong(Long::longValue).sum();

		// the same figures from the facts (days changed since the last fold), then from the summaries once folded
		for (String read : List.of("facts", "summaries")) {
			if (read.equals("summaries")) {
				slotSummaries.fold();
			}
			MeasureReport offered = evaluate("sas-slots-offered", from, to, "departement,publisher,use-case");
			assertThat(offered.getType()).isEqualTo(MeasureReport.MeasureReportType.SUMMARY);
			assertThat(offered.getMeasure()).contains("sas-slots-offered");
			assertThat(stratum(offered, "slots", "departement", "973")).as(read).isEqualTo(all);
			assertThat(stratum(offered, "slots", "publisher", publisher)).as(read).isEqualTo(all);
			assertThat(stratum(offered, "slots", "use-case", "sos")).as(read).isGreaterThanOrEqualTo(slots.get("sos"));
			assertThat(stratum(offered, "hours", "publisher", publisher)).as(read).isEqualTo(Math.round(allMinutes * 100 / 60.0));
			assertThat(total(offered, "slots")).as(read).isGreaterThanOrEqualTo(all);
			assertThat(offered.getGroup().get(0).getStratifier()).hasSize(3);

			MeasureReport practitioners = evaluate("sas-practitioners-with-slots", from, to, "publisher,week");
			assertThat(stratum(practitioners, "practitioners", "publisher", publisher)).as(read).isEqualTo(2);
			MeasureReport structures = evaluate("sas-structures-with-slots", from, to, "publisher,use-case");
			assertThat(stratum(structures, "structures", "publisher", publisher)).as(read).isEqualTo(1);
		}

		// a withdrawn future slot was not offered: its day is read from the facts again, the next day from the summaries
		assertThat(asPublisher().delete("/Slot/an-" + run + "-0").status()).isIn(200, 204);
		assertThat(stratum(evaluate("sas-slots-offered", from, to, "publisher"), "slots", "publisher", publisher)).isEqualTo(all - 1);
		assertThat(stratum(evaluate("sas-practitioners-with-slots", from, to, "publisher,month"), "practitioners", "publisher", publisher))
				.isEqualTo(2);
		slotSummaries.fold();
		assertThat(stratum(evaluate("sas-slots-offered", from, to, "publisher"), "slots", "publisher", publisher)).isEqualTo(all - 1);

		// an orientation: a slot booked through the SAS
		Appointment booked = appointment("an-" + run + "-appt", UUID.randomUUID().toString(), "810000000555", base.plusHours(1));
		booked.addSlot(new Reference("Slot/an-" + run + "-1"));
		booked.addExtension(SlotFacts.ORIENTATION, new CodeableConcept().addCoding(
				new org.hl7.fhir.r4.model.Coding("https://interop.esante.gouv.fr/ig/fhir/sas/CodeSystem/categorie-orientation-sas-codesystem", "001", null)));
		Response appointment = fhir().put("/Appointment/an-" + run + "-appt", booked);
		assertThat(appointment.status()).as(appointment.toString()).isIn(200, 201);
		LocalDate today = LocalDate.now(PARIS);
		MeasureReport orientations = evaluate("sas-orientations", today.minusDays(1), today.plusDays(1), "departement,orientation,status");
		assertThat(stratum(orientations, "appointments", "departement", "973")).isEqualTo(1);
	}

	/**
	 * Slots written after a fold (created, moved to the next day, withdrawn, a new practitioner) are counted exactly
	 * before the next fold, and what is read from the facts is bounded by the changed pairs: a fact of an unchanged
	 * pair of the same day, written behind the server's back (no change row), is seen neither by the evaluations nor by
	 * the next fold, which reads the changed pairs alone.
	 */
	@Test
	void slotsWrittenAfterAFoldAreExactReadingTheChangedPairsOnly() {
		org.springframework.jdbc.core.JdbcTemplate sql = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
		Map<String, String> schedules = new TreeMap<>();
		for (String name : List.of("pd-a", "pd-b", "pd-c", "pd-e")) {
			schedules.put(name, practitionerIn(name, "97700"));
		}
		OffsetDateTime base = OffsetDateTime.now(ZoneOffset.UTC).plusDays(4).withHour(8).withMinute(0).withSecond(0).withNano(0);
		LocalDate day = base.atZoneSameInstant(PARIS).toLocalDate();
		LocalDate next = day.plusDays(1);
		String a = "an-" + run + "-pd-a-";
		for (int i = 0; i < 3; i++) {
			put("/Slot/" + a + i, slot(a + i, schedules.get("pd-a"), base.plusHours(i), 20));
		}
		for (int i = 0; i < 2; i++) {
			put("/Slot/an-" + run + "-pd-b-" + i, slot("an-" + run + "-pd-b-" + i, schedules.get("pd-b"), base.plusHours(i), 30));
		}
		put("/Slot/an-" + run + "-pd-e-0", slot("an-" + run + "-pd-e-0", schedules.get("pd-e"), base.plusHours(5), 15));
		slotSummaries.fold();
		String practitioners = "SELECT COUNT(DISTINCT PRACTITIONER) FROM SAS_AN_SLOT_CHANGE WHERE PRACTITIONER LIKE ?";
		String mine = "Practitioner/an-" + run + "-p-pd-%";
		assertThat(sql.queryForObject(practitioners, Long.class, mine)).as("folded: no change waits").isZero();

		// behind the server's back: a fact of practitioner b's day, with no change row
		Map<String, Object> b = sql.queryForMap("SELECT PRACTITIONER, STRUCTURE FROM SAS_AN_SLOT WHERE SLOT_ID = ?", "an-" + run + "-pd-b-0");
		sql.update("INSERT INTO SAS_AN_SLOT (SLOT_ID, DAY_KEY, MONTH_KEY, WEEK_KEY, MINUTES, STATUS, PRACTITIONER, STRUCTURE, DEPARTEMENT,"
						+ " SPECIALTY, SLOT_TYPE, USE_CASE, PUBLISHER) VALUES (?, ?, ?, ?, 60, 'free', ?, ?, '977', 'SM54', 'PUBLIC', 'individual', ?)",
				"an-" + run + "-poison", java.sql.Date.valueOf(day), Calendar.month(day), Calendar.week(day), b.get("PRACTITIONER"),
				b.get("STRUCTURE"), publisher);
		try {
			// after the fold: a's new slot, a slot of a's moved to the next day, another withdrawn; c new; e's only slot moved
			put("/Slot/" + a + 3, slot(a + 3, schedules.get("pd-a"), base.plusHours(4), 40));
			put("/Slot/" + a + 0, slot(a + 0, schedules.get("pd-a"), base.plusDays(1), 20));
			assertThat(asPublisher().delete("/Slot/" + a + 1).status()).isIn(200, 204);
			put("/Slot/an-" + run + "-pd-c-0", slot("an-" + run + "-pd-c-0", schedules.get("pd-c"), base.plusDays(1).plusHours(2), 25));
			put("/Slot/an-" + run + "-pd-e-0", slot("an-" + run + "-pd-e-0", schedules.get("pd-e"), base.plusDays(1).plusHours(5), 15));
			// a: 2 on the day (20 + 40 min), 1 the next (20); b: 2 on the day (30 + 30); c: 1 the next (25); e: 1 the next (15)
			long slots = 7;
			long minutes = 20 + 40 + 20 + 30 + 30 + 25 + 15;
			assertThat(sql.queryForObject(practitioners, Long.class, mine)).as("the changed pairs: a, c, e").isEqualTo(3);

			for (String read : List.of("changes since the fold", "folded again")) {
				MeasureReport offered = evaluate("sas-slots-offered", day, next, "departement,publisher");
				assertThat(stratum(offered, "slots", "departement", "977")).as(read).isEqualTo(slots);
				assertThat(stratum(offered, "slots", "publisher", publisher)).as(read).isEqualTo(slots);
				assertThat(stratum(offered, "hours", "publisher", publisher)).as(read).isEqualTo(Math.round(minutes * 100 / 60.0));
				assertThat(stratum(evaluate("sas-slots-offered", day, day, "publisher"), "slots", "publisher", publisher)).as(read)
						.isEqualTo(4);
				assertThat(stratum(evaluate("sas-practitioners-with-slots", day, next, "departement,week"), "practitioners", "departement", "977"))
						.as(read).isEqualTo(4);
				assertThat(stratum(evaluate("sas-practitioners-with-slots", day, day, "departement"), "practitioners", "departement", "977"))
						.as(read + ": e's only slot of the day moved").isEqualTo(2);
				assertThat(stratum(evaluate("sas-practitioners-with-slots", next, next, "publisher"), "practitioners", "publisher", publisher))
						.as(read).isEqualTo(3);
				if (read.equals("changes since the fold")) {
					slotSummaries.fold();
					assertThat(sql.queryForObject(practitioners, Long.class, mine)).as("folded").isZero();
				}
			}
			// the fold replaced the changed pairs' rows only: b's day is still its two slots
			assertThat(sql.queryForObject("SELECT SUM(SLOTS) FROM SAS_AN_SLOT_PAIR WHERE PRACTITIONER = ? AND DAY_KEY = ?", Long.class,
					b.get("PRACTITIONER"), java.sql.Date.valueOf(day))).isEqualTo(2);
		} finally {
			sql.update("DELETE FROM SAS_AN_SLOT WHERE SLOT_ID = ?", "an-" + run + "-poison");
		}
	}

	/**
	 * Resources stored without facts (here: their facts deleted, as if analytics had been off) are counted again once
	 * back-filled, from the facts and from the summaries; a second run (its marks reset, as after a crash) adds nothing.
	 */
	@Test
	void theFactsOfDataStoredBeforeAreBackfilled() {
		org.springframework.jdbc.core.JdbcTemplate sql = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
		LocalDate today = LocalDate.now(PARIS);
		List<String> schedules = List.of(practitionerIn("bf-a", "97500"), practitionerIn("bf-b", "97500"));
		OffsetDateTime base = OffsetDateTime.now(ZoneOffset.UTC).plusDays(2).withHour(9).withMinute(0).withSecond(0).withNano(0);
		List<OffsetDateTime> starts = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			starts.add(base.plusDays(i % 2).plusMinutes(30L * i));
		}
		// and a slot of an ended day not closed yet (the day closing keeps it once back-filled)
		LocalDate past = null;
		for (int back = 2; back <= 6 && past == null; back++) {
			LocalDate day = today.minusDays(back);
			if (sql.queryForObject("SELECT COUNT(*) FROM SAS_AN_CLOSED_DAY WHERE DAY_KEY = ?", Long.class, java.sql.Date.valueOf(day)) == 0) {
				past = day;
			}
		}
		if (past != null) {
			starts.add(past.atTime(10, 0).atZone(PARIS).toOffsetDateTime());
		}
		long minutes = 0;
		List<String> slotIds = new ArrayList<>();
		for (int i = 0; i < starts.size(); i++) {
			String id = "an-" + run + "-bf-" + i;
			put("/Slot/" + id, slot(id, schedules.get(i % 2), starts.get(i), 15 + 5 * i));
			slotIds.add(id);
			minutes += 15 + 5 * i;
		}
		Appointment booked = appointment("an-" + run + "-bf-appt", UUID.randomUUID().toString(), "810000000556", base);
		booked.addSlot(new Reference("Slot/" + slotIds.get(0)));
		Response appointment = fhir().put("/Appointment/an-" + run + "-bf-appt", booked);
		assertThat(appointment.status()).as(appointment.toString()).isIn(200, 201);
		List<String> accounts = new ArrayList<>();
		for (boolean active : List.of(true, false)) {
			String technical = UUID.randomUUID().toString();
			Response created = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical, regulator(technical, active));
			assertThat(created.status()).as(created.toString()).isEqualTo(201);
			accounts.add(created.resource().getIdElement().getIdPart());
		}
		LocalDate from = today.minusDays(7);
		LocalDate to = base.atZoneSameInstant(PARIS).toLocalDate().plusDays(2);
		long slots = starts.size();
		long hours = Math.round(minutes * 100 / 60.0);
		MeasureReport accountsBefore = evaluate("sas-regulator-accounts", today, today, null);
		Runnable figuresAreTheTestsCounts = () -> {
			MeasureReport offered = evaluate("sas-slots-offered", from, to, "publisher,departement");
			assertThat(stratum(offered, "slots", "publisher", publisher)).isEqualTo(slots);
			assertThat(stratum(offered, "slots", "departement", "975")).isEqualTo(slots);
			assertThat(stratum(offered, "hours", "publisher", publisher)).isEqualTo(hours);
			assertThat(stratum(evaluate("sas-practitioners-with-slots", from, to, "publisher"), "practitioners", "publisher", publisher))
					.isEqualTo(2);
			assertThat(stratum(evaluate("sas-orientations", today.minusDays(1), today.plusDays(1), "departement"), "appointments",
					"departement", "975")).isEqualTo(1);
			MeasureReport regulators = evaluate("sas-regulator-accounts", today, today, null);
			assertThat(total(regulators, "created")).isEqualTo(total(accountsBefore, "created"));
			assertThat(total(regulators, "active")).isEqualTo(total(accountsBefore, "active"));
		};
		figuresAreTheTestsCounts.run();

		// as if stored with analytics off: no facts, the summaries folded without them
		for (String id : slotIds) {
			sql.update("INSERT INTO SAS_AN_SLOT_CHANGE (CHANGE_ID, DAY_KEY) SELECT ?, DAY_KEY FROM SAS_AN_SLOT WHERE SLOT_ID = ?",
					UUID.randomUUID().toString(), id);
			sql.update("DELETE FROM SAS_AN_SLOT WHERE SLOT_ID = ?", id);
		}
		sql.update("DELETE FROM SAS_AN_APPOINTMENT WHERE APPOINTMENT_ID = ?", "an-" + run + "-bf-appt");
		for (String id : accounts) {
			assertThat(sql.update("DELETE FROM SAS_AN_ACCOUNT WHERE PRACTITIONER_ID = ?", id)).as("fact of account " + id).isEqualTo(1);
		}
		slotSummaries.fold();
		assertThat(stratum(evaluate("sas-slots-offered", from, to, "publisher"), "slots", "publisher", publisher)).isZero();
		assertThat(total(evaluate("sas-regulator-accounts", today, today, null), "created"))
				.isEqualTo(total(accountsBefore, "created") - 2);

		// never back-filled: the back-fill derives them, in batches (50 resources each in the tests), and records itself done
		sql.update("DELETE FROM SAS_AN_BACKFILL");
		FactsBackfill.Outcome first = backfill.backfill(() -> true);
		assertThat(first.done()).isTrue();
		assertThat(first.added().get(FactsBackfill.Step.SLOT)).isGreaterThanOrEqualTo(slots);
		assertThat(first.added().get(FactsBackfill.Step.APPOINTMENT)).isGreaterThanOrEqualTo(1);
		assertThat(first.added().get(FactsBackfill.Step.ACCOUNT)).isGreaterThanOrEqualTo(2);
		assertThat(sql.queryForObject("SELECT COUNT(*) FROM SAS_AN_BACKFILL WHERE DONE_AT IS NOT NULL", Long.class)).isEqualTo(3);
		figuresAreTheTestsCounts.run(); // the back-filled days read from the facts
		slotSummaries.fold();
		figuresAreTheTestsCounts.run(); // and from the summaries

		// done: the next turn does nothing; run again from the start (a crash before the marks): nothing added twice
		assertThat(backfill.backfill(() -> true).total()).isZero();
		sql.update("DELETE FROM SAS_AN_BACKFILL");
		FactsBackfill.Outcome again = backfill.backfill(() -> true);
		assertThat(again.done()).isTrue();
		assertThat(again.total()).as("every live resource has its fact").isZero();
		figuresAreTheTestsCounts.run();
	}

	/**
	 * A resource a writer holds (its HAPI row locked by an open transaction) is skipped by the back-fill and not passed
	 * by its watermark; once the writer is gone, the next run derives its fact.
	 */
	@Test
	void aResourceBeingWrittenIsNotPassedByTheBackfill() throws Exception {
		org.springframework.jdbc.core.JdbcTemplate sql = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
		String schedule = practitionerIn("bf-held", "97500");
		OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(3).withHour(10).withMinute(0).withSecond(0).withNano(0);
		List<String> ids = List.of("an-" + run + "-held-0", "an-" + run + "-held-1");
		for (int i = 0; i < ids.size(); i++) {
			put("/Slot/" + ids.get(i), slot(ids.get(i), schedule, start.plusMinutes(30L * i), 30));
		}
		for (String id : ids) {
			sql.update("INSERT INTO SAS_AN_SLOT_CHANGE (CHANGE_ID, DAY_KEY) SELECT ?, DAY_KEY FROM SAS_AN_SLOT WHERE SLOT_ID = ?",
					UUID.randomUUID().toString(), id);
			sql.update("DELETE FROM SAS_AN_SLOT WHERE SLOT_ID = ?", id);
		}
		long held = sql.queryForObject("SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Slot' AND FHIR_ID = ?", Long.class, ids.get(0));
		String watermark = "SELECT LAST_ID FROM SAS_AN_BACKFILL WHERE STEP = 'SLOT'";
		sql.update("DELETE FROM SAS_AN_BACKFILL");
		try (java.sql.Connection writer = dataSource.getConnection()) {
			writer.setAutoCommit(false);
			try (java.sql.PreparedStatement lock = writer.prepareStatement("SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_ID = ? FOR UPDATE")) {
				lock.setLong(1, held);
				lock.executeQuery().close();
			}
			// the lease holds until the watermark has stood before the held slot for a few batches
			int[] atTheHeldSlot = {0};
			FactsBackfill.Outcome stopped = backfill.backfill(() -> {
				List<Long> last = sql.queryForList(watermark, Long.class);
				if (!last.isEmpty() && last.get(0) >= held - 1) {
					atTheHeldSlot[0]++;
				}
				return atTheHeldSlot[0] <= 3;
			});
			assertThat(stopped.done()).isFalse();
			assertThat(sql.queryForObject(watermark, Long.class)).as("not passed").isEqualTo(held - 1);
			assertThat(sql.queryForObject("SELECT COUNT(*) FROM SAS_AN_SLOT WHERE SLOT_ID = ?", Long.class, ids.get(0))).isZero();
			writer.rollback();
		}
		FactsBackfill.Outcome done = backfill.backfill(() -> true);
		assertThat(done.done()).isTrue();
		assertThat(sql.queryForObject("SELECT COUNT(*) FROM SAS_AN_SLOT WHERE SLOT_ID IN (?, ?)", Long.class, ids.get(0), ids.get(1)))
				.isEqualTo(2);
		LocalDate day = start.atZoneSameInstant(PARIS).toLocalDate();
		assertThat(stratum(evaluate("sas-slots-offered", day.minusDays(1), day.plusDays(1), "publisher"), "slots", "publisher", publisher))
				.isEqualTo(2);
	}

	@Test
	void closedDaysSurviveTheHousekeeping() {
		String schedule = practitionerIn("old", "97600");
		OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusDays(12).withHour(9).withMinute(0).withSecond(0).withNano(0);
		int count = 5;
		for (int i = 0; i < count; i++) {
			put("/Slot/an-" + run + "-old-" + i, slot("an-" + run + "-old-" + i, schedule, start.plusMinutes(20L * i), 20));
		}
		LocalDate day = start.atZoneSameInstant(PARIS).toLocalDate();
		assertThat(stratum(evaluate("sas-slots-offered", day, day, "departement"), "slots", "departement", "976")).isEqualTo(count);

		assertThat(dayClosing.closeEndedDays()).contains(day);
		housekeeping.purge();
		assertThat(fhir().get("/Slot/an-" + run + "-old-0").status()).as("the housekeeping deleted it").isEqualTo(410);

		for (String read : List.of("daily aggregate", "summaries")) {
			if (read.equals("summaries")) {
				slotSummaries.fold();
			}
			MeasureReport after = evaluate("sas-slots-offered", day, day, "departement,publisher");
			assertThat(stratum(after, "slots", "departement", "976")).as(read).isEqualTo(count);
			assertThat(stratum(after, "hours", "publisher", publisher)).as(read).isEqualTo(Math.round(count * 20 * 100 / 60.0));
			assertThat(stratum(evaluate("sas-practitioners-with-slots", day, day, "departement"), "practitioners", "departement", "976"))
					.as(read).isEqualTo(1);
		}
	}

	@Test
	void searchesAreCountedFromTheAuditTrail() {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		String origin = "LRM-" + run;
		long before = stratum(evaluate("sas-searches", today.minusDays(1), today.plusDays(1), "origin"), "searches", "origin", origin);
		assertThat(before).isZero();
		for (int i = 0; i < 3; i++) {
			Response contextual = fhir().get("/Slot/$contextual-search?inseecode=35238&origin=" + origin);
			assertThat(contextual.status()).as(contextual.toString()).isEqualTo(200);
		}
		MeasureReport searches = evaluate("sas-searches", today.minusDays(1), today.plusDays(1), "origin,search");
		assertThat(stratum(searches, "searches", "origin", origin)).as("each search once").isEqualTo(3);
		assertThat(stratum(searches, "searches", "search", "contextual")).isGreaterThanOrEqualTo(3);
	}

	@Test
	void regulatorAccountsCreatedAndActive() {
		LocalDate today = LocalDate.now(PARIS);
		MeasureReport before = evaluate("sas-regulator-accounts", today, today, null);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			String technical = UUID.randomUUID().toString();
			Response created = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical, regulator(technical, true));
			assertThat(created.status()).as(created.toString()).isEqualTo(201);
			ids.add(technical);
		}
		Response deactivated = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + ids.get(0), regulator(ids.get(0), false));
		assertThat(deactivated.status()).as(deactivated.toString()).isEqualTo(200);
		MeasureReport after = evaluate("sas-regulator-accounts", today, today, "month");
		assertThat(total(after, "created") - total(before, "created")).isEqualTo(3);
		assertThat(total(after, "active") - total(before, "active")).isEqualTo(2);
	}

	@Test
	void publisherCallsAndAnomaliesAreCountedFromTheMonitoring() {
		// rows as the monitoring writes them, for an endpoint of the test's own (the monitoring's jobs are not run here)
		org.springframework.jdbc.core.JdbcTemplate sql = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
		String endpoint = "https://an-" + run + ".example/fhir";
		java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
		LocalDate from = LocalDate.now(PARIS).minusDays(1);
		LocalDate to = from.plusDays(2);
		MeasureReport before = evaluate("sas-anomalies", from, to, "severity");
		long calls = 0;
		long answered = 0;
		long timeouts = 0;
		for (int i = 0; i < 3; i++) {
			java.sql.Timestamp minute = java.sql.Timestamp.from(now.minusSeconds(60L * i));
			for (String useCase : List.of("individual", "sos")) {
				long made = 10 + i;
				long late = i;
				sql.update("INSERT INTO SAS_MONITORING_CALLS (ID, ENDPOINT, USE_CASE, MINUTE_AT, NODE, CALLS, ANSWERED, FAILURES, TIMEOUTS,"
								+ " HTTP_ERRORS, TLS_ERRORS, NOT_CALLED, CHECKED, INVALID, WITH_DROPS, EMPTY_ANSWERS, DROPPED, ELAPSED_MS, LATENCIES)"
								+ " VALUES (?, ?, ?, ?, 'test-node', ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0')",
						endpoint + "|" + useCase + "|" + i, endpoint, useCase, minute, made, made - late, late, late);
				calls += made;
				answered += made - late;
				timeouts += late;
			}
		}
		Map<String, String> rules = Map.of("unreachable", "blocking", "latency", "major", "invalid-answers", "minor");
		for (String rule : rules.keySet()) {
			java.sql.Timestamp opened = java.sql.Timestamp.from(now.minusSeconds(120));
			boolean closed = rule.equals("latency");
			sql.update("INSERT INTO SAS_MONITORING_ALERT (ISSUE_ID, ENDPOINT, RULE_CODE, SEVERITY, OPEN_KEY, OPENED_AT, DEADLINE, CLOSED_AT)"
							+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "an-" + run + "-" + rule, endpoint, rule, rules.get(rule),
					closed ? null : endpoint + "|" + rule, opened, java.sql.Timestamp.from(now.plusSeconds(86_400)), closed ? opened : null);
		}

		MeasureReport report = evaluate("sas-publisher-calls", from, to, "publisher,use-case");
		assertThat(stratum(report, "calls", "publisher", endpoint)).isEqualTo(calls);
		assertThat(stratum(report, "answered", "publisher", endpoint)).isEqualTo(answered);
		assertThat(stratum(report, "timeouts", "publisher", endpoint)).isEqualTo(timeouts);
		assertThat(stratum(report, "failures", "publisher", endpoint)).isEqualTo(timeouts);
		assertThat(stratum(report, "http-errors", "publisher", endpoint)).isZero();
		assertThat(total(report, "calls")).isGreaterThanOrEqualTo(calls);

		MeasureReport anomalies = evaluate("sas-anomalies", from, to, "publisher,rule,severity,state");
		assertThat(stratum(anomalies, "anomalies", "publisher", endpoint)).isEqualTo(rules.size());
		for (String severity : List.of("blocking", "major", "minor")) {
			assertThat(stratum(anomalies, "anomalies", "severity", severity) - stratum(before, "anomalies", "severity", severity))
					.as(severity).isEqualTo(1);
		}
		MeasureReport mine = evaluate("sas-anomalies", LocalDate.now(PARIS).plusDays(5), LocalDate.now(PARIS).plusDays(6), "publisher");
		assertThat(stratum(mine, "anomalies", "publisher", endpoint)).as("opened before the period").isZero();
	}

	@Test
	void publisherCallsOfAClosedDayAreStillCountedOnceTheMonitoringDropsItsMinutes() {
		org.springframework.jdbc.core.JdbcTemplate sql = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
		String endpoint = "https://an-" + run + "-closed.example/fhir";
		LocalDate day = LocalDate.now(PARIS).minusDays(3);
		java.time.Instant start = day.atStartOfDay(PARIS).toInstant();
		java.time.Instant next = day.plusDays(1).atStartOfDay(PARIS).toInstant();
		// the day's first and last minutes, noon, and the next day's first minute (not the day's)
		List<java.time.Instant> minutes = List.of(start, start.plusSeconds(12 * 3600), next.minusSeconds(60), next);
		long calls = 0;
		long timeouts = 0;
		for (int i = 0; i < minutes.size(); i++) {
			for (String useCase : List.of("individual", "cpts")) {
				long made = 20 + i;
				long late = useCase.equals("cpts") ? i : 0;
				sql.update("INSERT INTO SAS_MONITORING_CALLS (ID, ENDPOINT, USE_CASE, MINUTE_AT, NODE, CALLS, ANSWERED, FAILURES, TIMEOUTS,"
								+ " HTTP_ERRORS, TLS_ERRORS, NOT_CALLED, CHECKED, INVALID, WITH_DROPS, EMPTY_ANSWERS, DROPPED, ELAPSED_MS, LATENCIES)"
								+ " VALUES (?, ?, ?, ?, 'test-node', ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0')",
						endpoint + "|" + useCase + "|" + i, endpoint, useCase, java.sql.Timestamp.from(minutes.get(i)), made, made - late,
						late, late);
				if (minutes.get(i).isBefore(next)) {
					calls += made;
					timeouts += late;
				}
			}
		}
		MeasureReport raw = evaluate("sas-publisher-calls", day, day, "publisher,use-case");
		assertThat(stratum(raw, "calls", "publisher", endpoint)).as("from the minutes").isEqualTo(calls);

		assertThat(dayClosing.closeCallDays()).as("the day, ended, is closed").contains(day, day.plusDays(1))
				.doesNotContain(LocalDate.now(PARIS));
		// the monitoring's retention drops the minutes; a late flush of the closed day is not counted twice
		sql.update("DELETE FROM SAS_MONITORING_CALLS WHERE ENDPOINT = ? AND ID NOT LIKE ?", endpoint, "%|cpts|1");
		MeasureReport kept = evaluate("sas-publisher-calls", day, day, "publisher,use-case");
		assertThat(stratum(kept, "calls", "publisher", endpoint)).as("from the daily sums").isEqualTo(calls);
		assertThat(stratum(kept, "timeouts", "publisher", endpoint)).isEqualTo(timeouts);
		assertThat(stratum(kept, "answered", "publisher", endpoint)).isEqualTo(calls - timeouts);
		MeasureReport twoDays = evaluate("sas-publisher-calls", day, day.plusDays(1), "publisher");
		assertThat(stratum(twoDays, "calls", "publisher", endpoint)).as("with the next day's minute").isEqualTo(calls + 2 * 23);
		assertThat(dayClosing.closeCallDays()).as("closed once").doesNotContain(day);
	}

	private static Practitioner regulator(String technical, boolean active) {
		Practitioner p = new Practitioner();
		p.setId("ExamplePractitionerRegulX");
		p.getMeta().setSource(SAS_SYSTEM).addProfile(SD + "FrPractitionerRegul");
		p.addIdentifier(identifier(FR_V2_0203, "INTRN", SAS_SYSTEM, technical));
		p.setActive(active);
		p.addName().setFamily("Loridon").addGiven("Sébastien");
		p.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("s.loridon@example.fr");
		return p;
	}

	@Test
	void badInputIsRefusedNamingTheParameter() {
		assertThat(fhir().get("/Measure/no-such-measure/$evaluate-measure?periodStart=2026-01-01&periodEnd=2026-01-31").status())
				.isEqualTo(404);
		refused("periodStart=2026-02-01&periodEnd=2026-01-31", "periodEnd");
		refused("periodStart=2020-01-01&periodEnd=2026-01-31", "periodEnd");
		refused("periodStart=2026-01-01&periodEnd=2026-01-31&stratifier=planet", "stratifier");
		refused("periodStart=2026-01-01&periodEnd=2026-01-31&stratifier=origin", "stratifier");
		refused("periodEnd=2026-01-31", "periodStart");
		refused("periodStart=2026-13-01&periodEnd=2026-01-31", "periodStart");
		refused("periodStart=2026-01-01&periodEnd=2026-01-31&reportType=subject-list", "reportType");
	}

	private void refused(String query, String parameter) {
		Response response = fhir().get("/Measure/sas-slots-offered/$evaluate-measure?" + query);
		assertThat(response.status()).as(response.toString()).isEqualTo(400);
		OperationOutcome.OperationOutcomeIssueComponent issue = response.outcome().getIssueFirstRep();
		assertThat(issue.getExpression()).extracting(Object::toString).containsExactly(parameter);
	}
}
