package fr.sas.fhir.analytics;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The tables the indicators aggregate, declared as entities only so that the schema is created with HAPI's
 * (rows are written and read with SQL by {@link SlotFacts}, {@link DayClosing} and {@link MeasureQueries}).
 * A fact is what an indicator needs of one resource, no more: no name, no identifier of a patient, no free text.
 * A composite key is a record (its equality is its components'); Hibernate puts a record key's columns in the order of
 * its components, so they are listed in the order of their names, the primary keys' column order the tables were first
 * created with (that of a key class with fields).
 */
final class FactTables {

	private FactTables() {}

	/** One slot: its day, its actor (practitioner, structure), where, what, whose. Deleted with its slot until its day closes. */
	@Entity(name = "AnalyticsSlot")
	// day first (the day's reads), then the pair: the slots of one changed practitioner-day without reading the day
	@Table(name = "SAS_AN_SLOT", indexes = {@Index(name = "IDX_SAS_AN_SLOT_UNIT", columnList = "DAY_KEY, PRACTITIONER, STRUCTURE")})
	static class Slot {
		@Id
		@Column(name = "SLOT_ID", length = 100)
		String slotId;
		@Column(name = "DAY_KEY", nullable = false)
		LocalDate day;
		@Column(name = "MONTH_KEY", length = 7, nullable = false)
		String month;
		@Column(name = "WEEK_KEY", length = 8, nullable = false)
		String week;
		@Column(name = "MINUTES", nullable = false)
		int minutes;
		@Column(name = "STATUS", length = 20)
		String status;
		@Column(name = "PRACTITIONER", length = 100)
		String practitioner;
		@Column(name = "STRUCTURE", length = 120)
		String structure;
		@Column(name = "DEPARTEMENT", length = 3)
		String departement;
		@Column(name = "SPECIALTY", length = 40)
		String specialty;
		@Column(name = "SLOT_TYPE", length = 20)
		String slotType;
		@Column(name = "USE_CASE", length = 12)
		String useCase;
		@Column(name = "PUBLISHER", length = 100)
		String publisher;
	}

	/** The slots of one closed day, per practitioner or structure and per dimension: what survives the housekeeping. */
	@Entity(name = "AnalyticsSlotDay")
	@Table(name = "SAS_AN_SLOT_DAY", indexes = {@Index(name = "IDX_SAS_AN_SLOT_DAY_UNIT", columnList = "DAY_KEY, PRACTITIONER, STRUCTURE")})
	static class SlotDay {
		@Id
		@jakarta.persistence.GeneratedValue(strategy = jakarta.persistence.GenerationType.SEQUENCE, generator = "SEQ_SAS_AN_SLOT_DAY")
		@jakarta.persistence.SequenceGenerator(name = "SEQ_SAS_AN_SLOT_DAY", sequenceName = "SEQ_SAS_AN_SLOT_DAY", allocationSize = 1)
		@Column(name = "ID")
		Long id;
		@Column(name = "DAY_KEY", nullable = false)
		LocalDate day;
		@Column(name = "MONTH_KEY", length = 7, nullable = false)
		String month;
		@Column(name = "WEEK_KEY", length = 8, nullable = false)
		String week;
		@Column(name = "PRACTITIONER", length = 100)
		String practitioner;
		@Column(name = "STRUCTURE", length = 120)
		String structure;
		@Column(name = "DEPARTEMENT", length = 3)
		String departement;
		@Column(name = "SPECIALTY", length = 40)
		String specialty;
		@Column(name = "SLOT_TYPE", length = 20)
		String slotType;
		@Column(name = "USE_CASE", length = 12)
		String useCase;
		@Column(name = "PUBLISHER", length = 100)
		String publisher;
		@Column(name = "SLOTS", nullable = false)
		long slots;
		@Column(name = "MINUTES", nullable = false)
		long minutes;
	}

	/** A day whose slots are in {@link SlotDay}. */
	@Entity(name = "AnalyticsClosedDay")
	@Table(name = "SAS_AN_CLOSED_DAY")
	static class ClosedDay {
		@Id
		@Column(name = "DAY_KEY")
		LocalDate day;
		@Column(name = "CLOSED_AT", nullable = false)
		Instant closedAt;
		@Column(name = "SLOTS", nullable = false)
		long slots;
	}

	/**
	 * A practitioner-structure pair whose slot facts of a day changed (a fact written or deleted) since the last fold:
	 * the evaluations read that pair's slots of that day from the facts, in place of its folded rows
	 * ({@link SlotPair}), until {@link SlotSummaries} folds it. Rows are only inserted by the writers (never updated
	 * by them), so concurrent writes do not wait for each other; the fold marks the rows it takes ({@code FOLD_ID}) and
	 * deletes them. A row without a pair ({@code PRACTITIONER} null: written by a version before the pairs, or by SQL)
	 * marks its whole day: the day is read from the facts and its month folded again whole.
	 */
	@Entity(name = "AnalyticsSlotChange")
	@Table(name = "SAS_AN_SLOT_CHANGE", indexes = {@Index(name = "IDX_SAS_AN_SLOT_CHANGE_DAY", columnList = "DAY_KEY")})
	static class SlotChange {
		@Id
		@Column(name = "CHANGE_ID", length = 36)
		String changeId;
		@Column(name = "DAY_KEY", nullable = false)
		LocalDate day;
		@Column(name = "MONTH_KEY", length = 7)
		String month;
		/** {@code ''} when the slots have none. */
		@Column(name = "PRACTITIONER", length = 100)
		String practitioner;
		@Column(name = "STRUCTURE", length = 120)
		String structure;
		@Column(name = "FOLD_ID", length = 36)
		String foldId;
	}

	/**
	 * The slots of one practitioner-structure pair on one day per value of every stratifier ({@code ''}: none), as
	 * the last fold read them: the rows the summaries ({@link SlotSum}, {@link SlotActor}) add up, kept for the days not
	 * closed (a closed day's slots do not change), so that an evaluation can take a changed pair's rows out of the
	 * summaries and its slots' current rows in, and a fold can replace a changed pair's rows alone.
	 */
	@Entity(name = "AnalyticsSlotPair")
	@Table(name = "SAS_AN_SLOT_PAIR", indexes = {@Index(name = "IDX_SAS_AN_SLOT_PAIR_UNIT", columnList = "DAY_KEY, PRACTITIONER, STRUCTURE")})
	@jakarta.persistence.IdClass(SlotPair.Key.class)
	static class SlotPair {
		/** Hibernate's view of the key (rows are written by SQL only); components in name order, see above. */
		record Key(LocalDate day, String departement, String practitioner, String publisher, String slotType,
				String specialty, String structure, String useCase) implements java.io.Serializable {}

		@Id
		@Column(name = "DAY_KEY")
		LocalDate day;
		@Id
		@Column(name = "PRACTITIONER", length = 100)
		String practitioner;
		@Id
		@Column(name = "STRUCTURE", length = 120)
		String structure;
		@Id
		@Column(name = "DEPARTEMENT", length = 3)
		String departement;
		@Id
		@Column(name = "SPECIALTY", length = 40)
		String specialty;
		@Id
		@Column(name = "SLOT_TYPE", length = 20)
		String slotType;
		@Id
		@Column(name = "USE_CASE", length = 12)
		String useCase;
		@Id
		@Column(name = "PUBLISHER", length = 100)
		String publisher;
		@Column(name = "MONTH_KEY", length = 7, nullable = false)
		String month;
		@Column(name = "WEEK_KEY", length = 8, nullable = false)
		String week;
		@Column(name = "SLOTS", nullable = false)
		long slots;
		@Column(name = "MINUTES", nullable = false)
		long minutes;
	}

	/** Slots and minutes of one day for one value of one stratifier ({@code ''}: unknown): what the sums read. */
	@Entity(name = "AnalyticsSlotSum")
	@Table(name = "SAS_AN_SLOT_SUM", indexes = {@Index(name = "IDX_SAS_AN_SLOT_SUM_DIM", columnList = "DIMENSION, DAY_KEY")})
	@jakarta.persistence.IdClass(SlotSum.Key.class)
	static class SlotSum {
		/** Hibernate's view of the key (rows are written by SQL only); components in name order, see above. */
		record Key(LocalDate day, String dimension, String value) implements java.io.Serializable {}

		@Id
		@Column(name = "DAY_KEY")
		LocalDate day;
		@Id
		@Column(name = "DIMENSION", length = 20)
		String dimension;
		@Id
		@Column(name = "VAL", length = 120)
		String value;
		@Column(name = "MONTH_KEY", length = 7, nullable = false)
		String month;
		@Column(name = "SLOTS", nullable = false)
		long slots;
		@Column(name = "MINUTES", nullable = false)
		long minutes;
	}

	/**
	 * One practitioner-structure pair with slots in a month for one value of one stratifier, and the days of that month
	 * it had them (bit {@code d-1} for day {@code d}): a distinct count over any period is a count of the pairs whose
	 * days meet the period's, exact, over about one row per practitioner and month instead of one per slot.
	 */
	@Entity(name = "AnalyticsSlotActor")
	// the key's columns are in Hibernate's order; an evaluation reads one month and stratifier in value order, from the
	// index alone (a distinct count per value without a sort of the whole month)
	@Table(name = "SAS_AN_SLOT_ACTOR", indexes = {@Index(name = "IDX_SAS_AN_SLOT_ACTOR_READ",
			columnList = "MONTH_KEY, DIMENSION, VAL, PRACTITIONER, STRUCTURE, DAYS")})
	@jakarta.persistence.IdClass(SlotActor.Key.class)
	static class SlotActor {
		/** Hibernate's view of the key (rows are written by SQL only); components in name order, see above. */
		record Key(String dimension, String month, String practitioner, String structure, String value)
				implements java.io.Serializable {}

		@Id
		@Column(name = "MONTH_KEY", length = 7)
		String month;
		@Id
		@Column(name = "DIMENSION", length = 20)
		String dimension;
		@Id
		@Column(name = "VAL", length = 120)
		String value;
		/** {@code ''} when the slots have none (a structure's). */
		@Id
		@Column(name = "PRACTITIONER", length = 100)
		String practitioner;
		@Id
		@Column(name = "STRUCTURE", length = 120)
		String structure;
		@Column(name = "DAYS", nullable = false)
		int days;
	}

	/**
	 * A month whose summaries ({@link SlotSum}, {@link SlotActor}) were computed, and when; {@code SUMMARY_FORMAT}
	 * {@link SlotSummaries#FORMAT} when its pairs' rows ({@link SlotPair}) were kept too (null: folded by a version
	 * before them, folded again whole).
	 */
	@Entity(name = "AnalyticsFoldedMonth")
	@Table(name = "SAS_AN_FOLDED_MONTH")
	static class FoldedMonth {
		@Id
		@Column(name = "MONTH_KEY", length = 7)
		String month;
		@Column(name = "FOLDED_AT", nullable = false)
		Instant foldedAt;
		@Column(name = "SUMMARY_FORMAT")
		Integer format;
	}

	/** One appointment made through the SAS (an orientation). */
	@Entity(name = "AnalyticsAppointment")
	@Table(name = "SAS_AN_APPOINTMENT", indexes = {@Index(name = "IDX_SAS_AN_APPT_DAY", columnList = "DAY_KEY")})
	static class Appointment {
		@Id
		@Column(name = "APPOINTMENT_ID", length = 100)
		String appointmentId;
		@Column(name = "DAY_KEY", nullable = false)
		LocalDate day;
		@Column(name = "MONTH_KEY", length = 7, nullable = false)
		String month;
		@Column(name = "WEEK_KEY", length = 8, nullable = false)
		String week;
		@Column(name = "STATUS", length = 20)
		String status;
		@Column(name = "ORIENTATION", length = 20)
		String orientation;
		@Column(name = "DEPARTEMENT", length = 3)
		String departement;
		@Column(name = "SPECIALTY", length = 40)
		String specialty;
		@Column(name = "USE_CASE", length = 12)
		String useCase;
		@Column(name = "PUBLISHER", length = 100)
		String publisher;
	}

	/** One regulator account (INT_R02). */
	@Entity(name = "AnalyticsAccount")
	@Table(name = "SAS_AN_ACCOUNT", indexes = {@Index(name = "IDX_SAS_AN_ACCOUNT_DAY", columnList = "DAY_KEY")})
	static class Account {
		@Id
		@Column(name = "PRACTITIONER_ID", length = 100)
		String practitionerId;
		@Column(name = "DAY_KEY", nullable = false)
		LocalDate day;
		@Column(name = "MONTH_KEY", length = 7, nullable = false)
		String month;
		@Column(name = "WEEK_KEY", length = 8, nullable = false)
		String week;
		@Column(name = "ACTIVE", nullable = false)
		boolean active;
	}

	/**
	 * The publishers' calls of one closed day, per endpoint and use case: the monitoring's per-minute rows
	 * ({@code SAS_MONITORING_CALLS}) summed, kept after the monitoring's retention drops them.
	 */
	@Entity(name = "AnalyticsCallDay")
	@Table(name = "SAS_AN_CALL_DAY", indexes = {@Index(name = "IDX_SAS_AN_CALL_DAY_DAY", columnList = "DAY_KEY")})
	@jakarta.persistence.IdClass(CallDay.Key.class)
	static class CallDay {
		/** Hibernate's view of the key (rows are written by SQL only); components in name order, see above. */
		record Key(LocalDate day, String endpoint, String useCase) implements java.io.Serializable {}

		@Id
		@Column(name = "DAY_KEY")
		LocalDate day;
		@Id
		@Column(name = "ENDPOINT", length = 100)
		String endpoint;
		@Id
		@Column(name = "USE_CASE", length = 16)
		String useCase;
		@Column(name = "MONTH_KEY", length = 7, nullable = false)
		String month;
		@Column(name = "WEEK_KEY", length = 8, nullable = false)
		String week;
		@Column(name = "CALLS", nullable = false)
		long calls;
		@Column(name = "ANSWERED", nullable = false)
		long answered;
		@Column(name = "FAILURES", nullable = false)
		long failures;
		@Column(name = "TIMEOUTS", nullable = false)
		long timeouts;
		@Column(name = "HTTP_ERRORS", nullable = false)
		long httpErrors;
		@Column(name = "TLS_ERRORS", nullable = false)
		long tlsErrors;
		@Column(name = "NOT_CALLED", nullable = false)
		long notCalled;
		@Column(name = "INVALID", nullable = false)
		long invalid;
	}

	/**
	 * A day whose calls are in {@link CallDay}, and the instants it spans ({@code FROM_AT} inclusive, {@code TO_AT}
	 * exclusive): the evaluations read its per-minute rows no more, whatever the monitoring still keeps.
	 */
	@Entity(name = "AnalyticsClosedCallDay")
	@Table(name = "SAS_AN_CLOSED_CALL_DAY")
	static class ClosedCallDay {
		@Id
		@Column(name = "DAY_KEY")
		LocalDate day;
		@Column(name = "FROM_AT", nullable = false)
		Instant from;
		@Column(name = "TO_AT", nullable = false)
		Instant to;
		@Column(name = "CLOSED_AT", nullable = false)
		Instant closedAt;
		@Column(name = "CALL_ROWS", nullable = false)
		long rows;
	}

	/**
	 * The back-fill of the facts ({@link FactsBackfill}), per step (Slot, Appointment, Practitioner): the last resource
	 * (HAPI's {@code RES_ID}) whose fact was derived, the facts added, and when the step was done.
	 */
	@Entity(name = "AnalyticsBackfill")
	@Table(name = "SAS_AN_BACKFILL")
	static class Backfill {
		@Id
		@Column(name = "STEP", length = 20)
		String step;
		@Column(name = "LAST_ID", nullable = false)
		long lastId;
		@Column(name = "ADDED", nullable = false)
		long added;
		@Column(name = "UPDATED_AT", nullable = false)
		Instant updatedAt;
		@Column(name = "DONE_AT")
		Instant doneAt;
	}
}
