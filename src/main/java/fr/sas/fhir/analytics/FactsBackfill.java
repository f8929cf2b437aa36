package fr.sas.fhir.analytics;

import ca.uhn.fhir.jpa.dao.ISearchBuilder;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import fr.sas.fhir.common.SasCodes;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.hibernate.Session;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Slot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Derives the facts of the resources stored before the facts were written (analytics turned on over an existing
 * database, or an upgrade): the slots, then the appointments (whose département is their slot's), then the regulator
 * accounts, as {@link SlotFacts} writes them, for the live resources that have none. Run by the day closing in its
 * turn, under its lease (one node; no day is closed while the back-fill runs, or the slots of a day closed half
 * back-filled would be lost), before it closes any day.
 * <p>
 * Bounded batches in HAPI's {@code RES_ID} order, one transaction each: the batch's resources are loaded by HAPI's
 * batch loader, their facts inserted and the step's watermark moved in the same transaction, so a crash loses the
 * batch only and a second run starts after the last one committed. A resource that already has a fact is left
 * alone (the hooks' fact is the current one), so a run again adds nothing twice. The batch's rows of
 * {@code HFJ_RESOURCE} are locked first, skipping those a writer holds: a write of one of them either committed
 * before (its fact is there) or waits for the batch (its hook then replaces the back-filled fact, or deletes it);
 * one held by a writer is not passed by the watermark, the next batch starts again from it.
 */
class FactsBackfill {

	private static final Logger LOG = LoggerFactory.getLogger(FactsBackfill.class);
	/** How long to wait before a batch whose first resource is being written is tried again. */
	private static final long PAUSE_MS = 200;

	/** The steps, in order: an appointment's fact takes its département, specialty and use case from its slot's. */
	enum Step {
		SLOT("Slot", Slot.class, "SAS_AN_SLOT", "SLOT_ID"),
		APPOINTMENT("Appointment", Appointment.class, "SAS_AN_APPOINTMENT", "APPOINTMENT_ID"),
		ACCOUNT("Practitioner", Practitioner.class, "SAS_AN_ACCOUNT", "PRACTITIONER_ID");

		final String type;
		final Class<? extends IBaseResource> resourceClass;
		final String table;
		final String idColumn;

		Step(String type, Class<? extends IBaseResource> resourceClass, String table, String idColumn) {
			this.type = type;
			this.resourceClass = resourceClass;
			this.table = table;
			this.idColumn = idColumn;
		}
	}

	/** What a run did: whether every step is done, and the facts it added per step. */
	record Outcome(boolean done, Map<Step, Long> added) {
		long total() {
			return added.values().stream().mapToLong(Long::longValue).sum();
		}
	}

	/** A resource's row in HAPI's table: its key, its id, when it was first stored. */
	private record Stored(long pid, String id, Instant published) {}

	/** One batch: where the next one starts, the facts added, whether the step is done. */
	private record Batch(long next, long added, boolean done) {}

	private final SlotFacts facts;
	private final SearchBuilderFactory<JpaPid> searchBuilders;
	private final Clock clock;
	private final Calendar calendar;
	private final boolean enabled;
	private final int batchSize;
	private final TransactionTemplate transaction;

	@PersistenceContext
	private EntityManager entityManager;

	FactsBackfill(SlotFacts facts, SearchBuilderFactory<JpaPid> searchBuilders, Clock clock, Calendar calendar,
			AnalyticsProperties properties, PlatformTransactionManager transactions) {
		this.facts = facts;
		this.searchBuilders = searchBuilders;
		this.clock = clock;
		this.calendar = calendar;
		this.enabled = properties.isBackfill();
		this.batchSize = Math.max(1, properties.getBackfillBatch());
		this.transaction = new TransactionTemplate(transactions);
	}

	/**
	 * Back-fills each step not done yet, as long as {@code keepGoing} (the lease, renewed before each batch) holds;
	 * done when every step is (or the back-fill is off). Once done, a run reads one small table and returns.
	 */
	Outcome backfill(BooleanSupplier keepGoing) {
		Map<Step, Long> added = new LinkedHashMap<>();
		if (!enabled) {
			return new Outcome(true, added);
		}
		Map<String, long[]> states = inTransaction(c -> {
			Map<String, long[]> read = new HashMap<>();
			for (long[] row : Sql.query(c, "SELECT STEP, LAST_ID, CASE WHEN DONE_AT IS NULL THEN 0 ELSE 1 END FROM SAS_AN_BACKFILL",
					r -> new long[] {Step.valueOf(r.getString(1)).ordinal(), r.getLong(2), r.getLong(3)})) {
				read.put(Step.values()[(int) row[0]].name(), row);
			}
			return read;
		});
		long began = System.nanoTime();
		boolean ran = false;
		for (Step step : Step.values()) {
			long[] state = states.get(step.name());
			if (state != null && state[2] == 1) {
				continue;
			}
			ran = true;
			long after = state == null ? Long.MIN_VALUE : state[1];
			long count = 0;
			while (true) {
				if (!keepGoing.getAsBoolean()) {
					LOG.info("Analytics: facts back-fill paused at {} {} (lease lost), {} facts added this run", step.type, after, count);
					added.merge(step, count, Long::sum);
					return new Outcome(false, added);
				}
				long from = after;
				Batch batch = inTransaction(c -> batch(c, step, from));
				count += batch.added();
				if (batch.done()) {
					break;
				}
				if (batch.next() == after && !pause()) { // its first resource is being written: its writer's hook writes the fact, or not
					added.merge(step, count, Long::sum);
					return new Outcome(false, added);
				}
				after = batch.next();
			}
			added.put(step, count);
		}
		if (ran) {
			LOG.info("Analytics: facts back-filled in {} s: {}", (System.nanoTime() - began) / 1_000_000_000, added);
		}
		return new Outcome(true, added);
	}

	private Batch batch(Connection c, Step step, long after) throws SQLException {
		List<Stored> rows = Sql.query(c, "SELECT RES_ID, FHIR_ID, RES_PUBLISHED FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND RES_ID > ?"
						+ " AND RES_DELETED_AT IS NULL ORDER BY RES_ID FETCH FIRST " + batchSize + " ROWS ONLY",
				r -> new Stored(r.getLong(1), r.getString(2), r.getTimestamp(3) == null ? null : r.getTimestamp(3).toInstant()),
				step.type, after);
		if (rows.isEmpty()) {
			record(c, step, after, 0, true);
			return new Batch(after, 0, true);
		}
		// the resources without a fact; only those are locked (a resource with one is left alone: nothing to lock)
		Set<String> withFact = facts(c, step, rows.stream().map(Stored::id).toList());
		List<Stored> missing = rows.stream().filter(r -> !withFact.contains(r.id())).toList();
		long last = rows.get(rows.size() - 1).pid();
		if (missing.isEmpty()) {
			record(c, step, last, 0, false);
			return new Batch(last, 0, false);
		}
		// a row a writer holds is skipped, and not passed: its writer commits its fact, or the next batch reads it again
		String lock = Sql.isPostgres(c) ? " FOR NO KEY UPDATE SKIP LOCKED" : " FOR UPDATE SKIP LOCKED";
		Set<Long> locked = new HashSet<>(Sql.query(c, "SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_ID IN (" + marks(missing.size())
				+ ") AND RES_DELETED_AT IS NULL" + lock, r -> r.getLong(1), missing.stream().map(Stored::pid).toArray()));
		long next = missing.stream().filter(r -> !locked.contains(r.pid())).mapToLong(r -> r.pid() - 1).min().orElse(last);
		Map<String, Stored> mine = new HashMap<>();
		for (Stored row : missing) {
			if (locked.contains(row.pid())) {
				mine.put(row.id(), row);
			}
		}
		if (!mine.isEmpty()) {
			// again once locked: a writer that committed in between wrote the fact
			mine.keySet().removeAll(facts(c, step, mine.keySet()));
		}
		long added = mine.isEmpty() ? 0 : write(c, step, mine);
		record(c, step, next, added, false);
		return new Batch(next, added, false);
	}

	/** The ids among {@code ids} that have a fact. */
	private static Set<String> facts(Connection c, Step step, java.util.Collection<String> ids) throws SQLException {
		return new HashSet<>(Sql.query(c, "SELECT " + step.idColumn + " FROM " + step.table + " WHERE " + step.idColumn
				+ " IN (" + marks(ids.size()) + ")", r -> r.getString(1), ids.toArray()));
	}

	/** Loads the resources (HAPI's batch loader) and writes their facts; returns how many. */
	private long write(Connection c, Step step, Map<String, Stored> rows) throws SQLException {
		List<JpaPid> pids = rows.values().stream().map(r -> JpaPid.fromId(r.pid())).toList();
		@SuppressWarnings({"unchecked", "rawtypes"})
		ISearchBuilder<JpaPid> loader = searchBuilders.newSearchBuilder(step.type, (Class) step.resourceClass);
		List<IBaseResource> loaded = new ArrayList<>(pids.size());
		loader.loadResourcesByPid(pids, List.of(), loaded, false, new SystemRequestDetails());
		LocalDate today = calendar.day(clock.instant());
		long added = 0;
		switch (step) {
			case SLOT -> {
				List<SlotFacts.SlotFact> slots = new ArrayList<>();
				for (IBaseResource resource : loaded) {
					facts.slotFact((Slot) resource).ifPresent(slots::add);
				}
				Set<LocalDate> days = new TreeSet<>();
				slots.forEach(f -> days.add(f.day()));
				Set<LocalDate> closed = days.isEmpty() ? Set.of() : new HashSet<>(Sql.query(c,
						"SELECT DAY_KEY FROM SAS_AN_CLOSED_DAY WHERE DAY_KEY IN (" + marks(days.size()) + ")",
						r -> r.getDate(1).toLocalDate(), days.toArray()));
				Set<SlotFacts.Unit> changed = new LinkedHashSet<>();
				for (SlotFacts.SlotFact fact : slots) {
					if (closed.contains(fact.day())) {
						continue; // a closed day's aggregate cannot tell whether this slot was in it: left as the hooks leave it
					}
					fact.insert(c);
					changed.add(fact.unit());
					added++;
				}
				for (SlotFacts.Unit unit : changed) {
					unit.changed(c); // the pair's day is read from the facts until the next fold
				}
			}
			case APPOINTMENT -> {
				for (IBaseResource resource : loaded) {
					SlotFacts.AppointmentFact fact = facts.appointmentFact((Appointment) resource);
					fact.write(c, firstStored(rows.get(fact.id()), today));
					added++;
				}
			}
			case ACCOUNT -> {
				for (IBaseResource resource : loaded) {
					if (SasCodes.isRegulatorAccount(resource)) {
						Practitioner practitioner = (Practitioner) resource;
						String id = practitioner.getIdElement().getIdPart();
						SlotFacts.writeAccount(c, id, firstStored(rows.get(id), today), SlotFacts.active(practitioner));
						added++;
					}
				}
			}
		}
		return added;
	}

	/** The day a resource was first stored: the day the hooks would have given it. */
	private LocalDate firstStored(Stored row, LocalDate fallback) {
		return row == null || row.published() == null ? fallback : calendar.day(row.published());
	}

	private void record(Connection c, Step step, long lastId, long added, boolean done) throws SQLException {
		Instant now = clock.instant();
		String doneAt = done ? "CURRENT_TIMESTAMP" : "NULL";
		int updated = Sql.update(c, "UPDATE SAS_AN_BACKFILL SET LAST_ID = ?, ADDED = ADDED + ?, UPDATED_AT = ?, DONE_AT = " + doneAt
				+ " WHERE STEP = ?", lastId, added, now, step.name());
		if (updated == 0) {
			Sql.update(c, "INSERT INTO SAS_AN_BACKFILL (STEP, LAST_ID, ADDED, UPDATED_AT, DONE_AT) VALUES (?, ?, ?, ?, " + doneAt + ")",
					step.name(), lastId, added, now);
		}
	}

	private static String marks(int count) {
		return String.join(", ", Collections.nCopies(count, "?"));
	}

	/** False when interrupted (the node stops). */
	private static boolean pause() {
		try {
			Thread.sleep(PAUSE_MS);
			return true;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private interface Work<T> {
		T run(Connection connection) throws SQLException;
	}

	private <T> T inTransaction(Work<T> work) {
		return transaction.execute(tx -> entityManager.unwrap(Session.class).doReturningWork(work::run));
	}
}
