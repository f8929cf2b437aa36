package fr.sas.fhir.analytics;

import fr.sas.fhir.common.JobLeases;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Folds a month's slots (the facts of its open days, the daily aggregate of its closed ones) into two small summaries
 * the slot measures read instead of grouping millions of facts at each evaluation: per day and stratifier value the
 * slots and minutes ({@code SAS_AN_SLOT_SUM}), per stratifier value and practitioner-structure pair the days of the
 * month with slots ({@code SAS_AN_SLOT_ACTOR}, for exact distinct counts over any period). Runs on one node every
 * {@code sas.analytics.fold-interval}, for the months never folded and those with changed days
 * ({@code SAS_AN_SLOT_CHANGE}); until then an evaluation reads a changed day from its facts, so figures are exact
 * at every moment, the summaries only make them fast.
 */
class SlotSummaries {

	private static final Logger LOG = LoggerFactory.getLogger(SlotSummaries.class);
	static final String LEASE = "analytics-slot-fold";

	/** Each stratifier of the slot measures and its column in the facts and the daily aggregate. */
	static final Map<String, String> DIMENSIONS = new LinkedHashMap<>();

	static {
		DIMENSIONS.put("month", "MONTH_KEY");
		DIMENSIONS.put("week", "WEEK_KEY");
		DIMENSIONS.put("departement", "DEPARTEMENT");
		DIMENSIONS.put("use-case", "USE_CASE");
		DIMENSIONS.put("specialty", "SPECIALTY");
		DIMENSIONS.put("slot-type", "SLOT_TYPE");
		DIMENSIONS.put("publisher", "PUBLISHER");
	}

	/** The dimension whose rows also give the whole population (every slot has exactly one month). */
	static final String WHOLE = "month";

	private final JobLeases leases;
	private final Duration lease;
	private final TransactionTemplate transaction;

	@PersistenceContext
	private EntityManager entityManager;

	SlotSummaries(JobLeases leases, AnalyticsProperties properties, PlatformTransactionManager transactions) {
		this.leases = leases;
		this.lease = properties.getFoldInterval().plusMinutes(10);
		this.transaction = new TransactionTemplate(transactions);
	}

	@Scheduled(initialDelayString = "${sas.analytics.fold-initial-delay:PT1M}", fixedDelayString = "${sas.analytics.fold-interval:PT15M}")
	public synchronized void run() {
		if (!leases.runAlone(LEASE, lease, this::fold)) {
			LOG.debug("Slot summaries skipped: another node holds its lease");
		}
	}

	/** Folds every month never folded or with changed days; returns them (one fold at a time in a node, the lease across nodes). */
	synchronized List<YearMonth> fold() {
		List<YearMonth> months = inTransaction(this::monthsToFold);
		for (YearMonth month : months) {
			long began = System.nanoTime();
			inTransaction(c -> foldMonth(c, month));
			LOG.info("Analytics: slot summaries of {} folded in {} ms", month, (System.nanoTime() - began) / 1_000_000);
		}
		return months;
	}

	private List<YearMonth> monthsToFold(Connection c) throws SQLException {
		TreeSet<YearMonth> months = new TreeSet<>();
		for (LocalDate day : Sql.query(c, "SELECT DISTINCT DAY_KEY FROM SAS_AN_SLOT_CHANGE", r -> r.getDate(1).toLocalDate())) {
			months.add(YearMonth.from(day));
		}
		// facts stored before the summaries existed (or loaded by SQL) have no change rows: their months are folded once
		List<String> folded = Sql.query(c, "SELECT MONTH_KEY FROM SAS_AN_FOLDED_MONTH", r -> r.getString(1));
		for (String table : List.of("SAS_AN_SLOT", "SAS_AN_SLOT_DAY")) {
			List<LocalDate[]> range = Sql.query(c, "SELECT MIN(DAY_KEY), MAX(DAY_KEY) FROM " + table, r -> r.getDate(1) == null ? null
					: new LocalDate[] {r.getDate(1).toLocalDate(), r.getDate(2).toLocalDate()});
			if (range.isEmpty() || range.get(0) == null) {
				continue;
			}
			for (YearMonth m = YearMonth.from(range.get(0)[0]); !m.isAfter(YearMonth.from(range.get(0)[1])); m = m.plusMonths(1)) {
				if (!folded.contains(Calendar.month(m.atDay(1)))) {
					months.add(m);
				}
			}
		}
		return new ArrayList<>(months);
	}

	private int foldMonth(Connection c, YearMonth month) throws SQLException {
		String key = Calendar.month(month.atDay(1));
		LocalDate first = month.atDay(1);
		LocalDate last = month.atEndOfMonth();
		// the changes seen before reading the slots: a write committed after keeps its change row, so its day stays read
		// from the facts (the summaries of a changed day are never read)
		List<String> seen = Sql.query(c, "SELECT CHANGE_ID FROM SAS_AN_SLOT_CHANGE WHERE DAY_KEY >= ? AND DAY_KEY <= ?",
				r -> r.getString(1), first, last);
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_SUM WHERE DAY_KEY >= ? AND DAY_KEY <= ?", first, last);
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_ACTOR WHERE MONTH_KEY = ?", key);
		String rows = slotRows("DAY_KEY >= ? AND DAY_KEY <= ?");
		Object[] range = {first, last, first, last};
		String dayBit = "CAST(POWER(2, EXTRACT(DAY FROM DAY_KEY) - 1) AS INTEGER)";
		for (Map.Entry<String, String> dimension : DIMENSIONS.entrySet()) {
			String value = "COALESCE(" + dimension.getValue() + ", '')";
			Sql.update(c, "INSERT INTO SAS_AN_SLOT_SUM (DAY_KEY, DIMENSION, VAL, MONTH_KEY, SLOTS, MINUTES) SELECT DAY_KEY, '"
					+ dimension.getKey() + "', " + value + ", MONTH_KEY, SUM(SLOTS), SUM(MINUTES) FROM " + rows
					+ " GROUP BY DAY_KEY, MONTH_KEY, " + value, range);
			// the days of the month a pair had slots: one bit each, summed once per day
			Sql.update(c, "INSERT INTO SAS_AN_SLOT_ACTOR (MONTH_KEY, DIMENSION, VAL, PRACTITIONER, STRUCTURE, DAYS)"
					+ " SELECT MONTH_KEY, '" + dimension.getKey() + "', " + value + ", COALESCE(PRACTITIONER, ''), COALESCE(STRUCTURE, ''),"
					+ " CAST(SUM(DISTINCT " + dayBit + ") AS INTEGER) FROM " + rows
					+ " WHERE PRACTITIONER IS NOT NULL OR STRUCTURE IS NOT NULL"
					+ " GROUP BY MONTH_KEY, " + value + ", COALESCE(PRACTITIONER, ''), COALESCE(STRUCTURE, '')", range);
		}
		for (int from = 0; from < seen.size(); from += 500) {
			List<String> batch = seen.subList(from, Math.min(seen.size(), from + 500));
			Sql.update(c, "DELETE FROM SAS_AN_SLOT_CHANGE WHERE CHANGE_ID IN (" + String.join(", ", java.util.Collections.nCopies(batch.size(), "?"))
					+ ")", batch.toArray());
		}
		Sql.update(c, "DELETE FROM SAS_AN_FOLDED_MONTH WHERE MONTH_KEY = ?", key);
		Sql.update(c, "INSERT INTO SAS_AN_FOLDED_MONTH (MONTH_KEY, FOLDED_AT) VALUES (?, CURRENT_TIMESTAMP)", key);
		return 0;
	}

	/**
	 * Every slot of the days {@code dayCondition} selects (it is applied twice: bind its parameters twice), one row per
	 * slot or per daily-aggregate row: closed days from the daily aggregate, the others from the facts.
	 */
	static String slotRows(String dayCondition) {
		return "(SELECT DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE, DEPARTEMENT, SPECIALTY, SLOT_TYPE, USE_CASE,"
				+ " PUBLISHER, SLOTS, MINUTES FROM SAS_AN_SLOT_DAY WHERE " + dayCondition
				+ " UNION ALL SELECT DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE, DEPARTEMENT, SPECIALTY, SLOT_TYPE,"
				+ " USE_CASE, PUBLISHER, 1, MINUTES FROM SAS_AN_SLOT WHERE " + dayCondition
				+ " AND DAY_KEY NOT IN (SELECT DAY_KEY FROM SAS_AN_CLOSED_DAY)) s";
	}

	/** Marks a day's facts changed (by the writer, in its transaction). */
	static void changed(Connection c, LocalDate day) throws SQLException {
		Sql.update(c, "INSERT INTO SAS_AN_SLOT_CHANGE (CHANGE_ID, DAY_KEY) VALUES (?, ?)", UUID.randomUUID().toString(), day);
	}

	private interface Work<T> {
		T run(Connection connection) throws SQLException;
	}

	private <T> T inTransaction(Work<T> work) {
		return transaction.execute(tx -> entityManager.unwrap(Session.class).doReturningWork(work::run));
	}
}
