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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Folds the slots (the facts of the open days, the daily aggregate of the closed ones) into small summaries the slot
 * measures read instead of grouping millions of facts at each evaluation: per day and stratifier value the slots and
 * minutes ({@code SAS_AN_SLOT_SUM}), per stratifier value and practitioner-structure pair the days of the month with
 * slots ({@code SAS_AN_SLOT_ACTOR}, for exact distinct counts over any period), and, under both, the rows they add up:
 * per pair, day and values ({@code SAS_AN_SLOT_PAIR}, days not closed). Each write of a slot marks its pair's day
 * ({@code SAS_AN_SLOT_CHANGE}); every {@code sas.analytics.fold-interval}, on one node, the fold replaces the marked
 * pairs' rows and corrects the summaries by the difference (work in proportion to the changes), and folds whole the
 * months never folded. Until then an evaluation takes a marked pair's folded rows out and its current slots in
 * ({@link MeasureQueries}), so figures are exact at every moment.
 */
class SlotSummaries {

	private static final Logger LOG = LoggerFactory.getLogger(SlotSummaries.class);
	static final String LEASE = "analytics-slot-fold";
	/** The summaries with the pairs' rows; a month folded by an earlier version (null) is folded again whole. */
	static final int FORMAT = 2;

	/** Each stratifier of the slot measures and its column in the facts, the daily aggregate and the pairs' rows. */
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

	private static final List<String> SUM_KEY = List.of("DAY_KEY", "DIMENSION", "VAL");
	private static final List<String> ACTOR_KEY = List.of("MONTH_KEY", "DIMENSION", "VAL", "PRACTITIONER", "STRUCTURE");

	/** What one fold did: the months folded whole, and the changed pairs' days folded. */
	record Outcome(List<YearMonth> months, long pairDays) {}

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

	@Scheduled(initialDelayString = "${sas.analytics.fold-initial-delay:PT1M}", fixedDelayString = "${sas.analytics.fold-interval:PT1M}")
	public synchronized void run() {
		if (!leases.runAlone(LEASE, lease, this::fold)) {
			LOG.debug("Slot summaries skipped: another node holds its lease");
		}
	}

	/** Folds whole the months never folded (or with a whole day marked), then the changed pairs' days of the others. */
	synchronized Outcome fold() {
		List<YearMonth> months = inTransaction(this::monthsToFold);
		for (YearMonth month : months) {
			long began = System.nanoTime();
			inTransaction(c -> foldMonth(c, month));
			LOG.info("Analytics: slot summaries of {} folded in {} ms", month, (System.nanoTime() - began) / 1_000_000);
		}
		long began = System.nanoTime();
		long pairDays = inTransaction(this::foldPairs);
		if (pairDays > 0) {
			LOG.info("Analytics: {} changed pair-days folded in {} ms", pairDays, (System.nanoTime() - began) / 1_000_000);
		}
		return new Outcome(months, pairDays);
	}

	private List<YearMonth> monthsToFold(Connection c) throws SQLException {
		TreeSet<YearMonth> months = new TreeSet<>();
		Set<String> folded = new HashSet<>(Sql.query(c, "SELECT MONTH_KEY FROM SAS_AN_FOLDED_MONTH WHERE SUMMARY_FORMAT = ?",
				r -> r.getString(1), FORMAT));
		// a whole day marked (by SQL, or by a version before the pairs), and the changes of a month never folded
		for (LocalDate day : Sql.query(c, "SELECT DISTINCT DAY_KEY FROM SAS_AN_SLOT_CHANGE WHERE PRACTITIONER IS NULL",
				r -> r.getDate(1).toLocalDate())) {
			months.add(YearMonth.from(day));
		}
		for (String month : Sql.query(c, "SELECT DISTINCT MONTH_KEY FROM SAS_AN_SLOT_CHANGE WHERE MONTH_KEY IS NOT NULL", r -> r.getString(1))) {
			if (!folded.contains(month)) {
				months.add(YearMonth.parse(month));
			}
		}
		// facts stored before the summaries existed (or loaded by SQL) have no change rows: their months are folded once
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

	/** A whole month: its open days' pairs' rows from their facts, then the summaries from those and the closed days' aggregate. */
	private int foldMonth(Connection c, YearMonth month) throws SQLException {
		String key = Calendar.month(month.atDay(1));
		LocalDate first = month.atDay(1);
		LocalDate last = month.atEndOfMonth();
		// the changes seen before reading the slots: one committed after keeps its row, its pair read from the facts
		String token = UUID.randomUUID().toString();
		Sql.update(c, "UPDATE SAS_AN_SLOT_CHANGE SET FOLD_ID = ? WHERE FOLD_ID IS NULL AND DAY_KEY >= ? AND DAY_KEY <= ?", token, first, last);
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_PAIR WHERE DAY_KEY >= ? AND DAY_KEY <= ?", first, last);
		// the open days' pairs from their facts, in one pass; a closed day's rows are its daily aggregate's, read as they are
		Sql.update(c, insertPairs("(SELECT " + SlotPairs.COLUMNS.replace("SLOTS", "1 AS SLOTS") + " FROM SAS_AN_SLOT WHERE DAY_KEY >= ?"
				+ " AND DAY_KEY <= ? AND DAY_KEY NOT IN (SELECT DAY_KEY FROM SAS_AN_CLOSED_DAY)) s"), first, last);
		// a day closed since has its pairs' rows already: its aggregate is left out
		List<LocalDate> open = Sql.query(c, "SELECT DISTINCT DAY_KEY FROM SAS_AN_SLOT_PAIR WHERE DAY_KEY >= ? AND DAY_KEY <= ?",
				r -> r.getDate(1).toLocalDate(), first, last);
		StringBuilder closed = new StringBuilder();
		for (String column : SlotPairs.VALUES) {
			closed.append(", COALESCE(").append(column).append(", '') AS ").append(column);
		}
		String rows = "(SELECT DAY_KEY, MONTH_KEY, WEEK_KEY, " + String.join(", ", SlotPairs.VALUES) + ", SLOTS, MINUTES FROM SAS_AN_SLOT_PAIR"
				+ " WHERE DAY_KEY >= ? AND DAY_KEY <= ? UNION ALL SELECT DAY_KEY, MONTH_KEY, WEEK_KEY" + closed + ", SLOTS, MINUTES"
				+ " FROM SAS_AN_SLOT_DAY WHERE DAY_KEY >= ? AND DAY_KEY <= ?" + (open.isEmpty() ? ""
						: " AND DAY_KEY NOT IN (" + open.stream().map(d -> "DATE '" + d + "'").collect(java.util.stream.Collectors.joining(", ")) + ")")
				+ ") f";
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_SUM WHERE DAY_KEY >= ? AND DAY_KEY <= ?", first, last);
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_ACTOR WHERE MONTH_KEY = ?", key);
		for (Map.Entry<String, String> dimension : DIMENSIONS.entrySet()) {
			String value = dimension.getValue();
			Sql.update(c, "INSERT INTO SAS_AN_SLOT_SUM (DAY_KEY, DIMENSION, VAL, MONTH_KEY, SLOTS, MINUTES) SELECT DAY_KEY, '"
					+ dimension.getKey() + "', " + value + ", MONTH_KEY, SUM(SLOTS), SUM(MINUTES) FROM " + rows
					+ " GROUP BY DAY_KEY, MONTH_KEY, " + value, first, last, first, last);
			// the days of the month a pair had slots: one bit each, summed once per day
			Sql.update(c, "INSERT INTO SAS_AN_SLOT_ACTOR (MONTH_KEY, DIMENSION, VAL, PRACTITIONER, STRUCTURE, DAYS)"
					+ " SELECT MONTH_KEY, '" + dimension.getKey() + "', " + value + ", PRACTITIONER, STRUCTURE,"
					+ " CAST(SUM(DISTINCT " + SlotPairs.dayBit("DAY_KEY") + ") AS INTEGER) FROM " + rows
					+ " WHERE PRACTITIONER <> '' OR STRUCTURE <> '' GROUP BY MONTH_KEY, " + value + ", PRACTITIONER, STRUCTURE", first, last, first, last);
		}
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_CHANGE WHERE FOLD_ID = ?", token);
		Sql.update(c, "DELETE FROM SAS_AN_FOLDED_MONTH WHERE MONTH_KEY = ?", key);
		Sql.update(c, "INSERT INTO SAS_AN_FOLDED_MONTH (MONTH_KEY, FOLDED_AT, SUMMARY_FORMAT) VALUES (?, CURRENT_TIMESTAMP, ?)", key, FORMAT);
		dropClosedPairs(c);
		return 0;
	}

	/**
	 * The changed pairs' days of the folded months, in one transaction: their folded rows taken out of the summaries,
	 * replaced by their slots' rows, put back in; returns how many pair-days. Reads the marked pairs only (through the
	 * pairs' indexes), whatever the size of their days.
	 */
	private long foldPairs(Connection c) throws SQLException {
		boolean postgres = Sql.isPostgres(c);
		String token = UUID.randomUUID().toString();
		if (Sql.update(c, "UPDATE SAS_AN_SLOT_CHANGE SET FOLD_ID = ? WHERE FOLD_ID IS NULL AND PRACTITIONER IS NOT NULL AND MONTH_KEY IN"
				+ " (SELECT MONTH_KEY FROM SAS_AN_FOLDED_MONTH WHERE SUMMARY_FORMAT = ?)", token, FORMAT) == 0) {
			dropClosedPairs(c);
			return 0;
		}
		// the server's own token, written in the SQL as a literal (the same derived table is used many times)
		String marked = "FOLD_ID = '" + token + "'";
		String units = SlotPairs.units(marked);
		long pairDays = Sql.query(c, "SELECT COUNT(*) FROM " + units + " n", r -> r.getLong(1)).get(0);
		addSums(c, postgres, units, "-");
		for (String dimension : DIMENSIONS.keySet()) {
			// a changed pair's changed days out of its days (the others stay as folded)
			String cleared = SlotPairs.and(postgres, "a.DAYS", SlotPairs.not(postgres, "ch.C"));
			Sql.update(c, postgres
					? "UPDATE SAS_AN_SLOT_ACTOR a SET DAYS = " + cleared + " FROM " + SlotPairs.masks(units) + " ch WHERE a.DIMENSION = '"
							+ dimension + "' AND a.MONTH_KEY = ch.MONTH_KEY AND a.PRACTITIONER = ch.PRACTITIONER AND a.STRUCTURE = ch.STRUCTURE"
					: "MERGE INTO SAS_AN_SLOT_ACTOR a USING " + SlotPairs.masks(units) + " ch ON (a.DIMENSION = '" + dimension
							+ "' AND a.MONTH_KEY = ch.MONTH_KEY AND a.PRACTITIONER = ch.PRACTITIONER AND a.STRUCTURE = ch.STRUCTURE)"
							+ " WHEN MATCHED THEN UPDATE SET DAYS = " + cleared);
		}
		String ofMarked = "EXISTS (SELECT 1 FROM SAS_AN_SLOT_CHANGE u WHERE u." + marked + " AND u.DAY_KEY = f.DAY_KEY"
				+ " AND u.PRACTITIONER = f.PRACTITIONER AND u.STRUCTURE = f.STRUCTURE)";
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_PAIR f WHERE " + ofMarked);
		Sql.update(c, insertPairs(SlotPairs.currentRows(units)));
		addSums(c, postgres, units, "");
		for (Map.Entry<String, String> dimension : DIMENSIONS.entrySet()) {
			String value = "f." + dimension.getValue();
			Sql.update(c, SlotPairs.upsert(postgres, "SAS_AN_SLOT_ACTOR", ACTOR_KEY, List.of(), List.of("DAYS"),
					"SELECT f.MONTH_KEY, '" + dimension.getKey() + "' AS DIMENSION, " + value + " AS VAL, f.PRACTITIONER, f.STRUCTURE,"
							+ " CAST(SUM(DISTINCT " + SlotPairs.dayBit("f.DAY_KEY") + ") AS INTEGER) AS DAYS FROM " + SlotPairs.foldedRows(units)
							+ " WHERE f.PRACTITIONER <> '' OR f.STRUCTURE <> '' GROUP BY f.MONTH_KEY, " + value + ", f.PRACTITIONER, f.STRUCTURE",
					(stored, added) -> SlotPairs.or(postgres, stored, added)));
			Sql.update(c, "DELETE FROM SAS_AN_SLOT_ACTOR a WHERE a.DIMENSION = '" + dimension.getKey() + "' AND a.DAYS = 0 AND EXISTS"
					+ " (SELECT 1 FROM SAS_AN_SLOT_CHANGE u WHERE u." + marked + " AND u.MONTH_KEY = a.MONTH_KEY"
					+ " AND u.PRACTITIONER = a.PRACTITIONER AND u.STRUCTURE = a.STRUCTURE)");
		}
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_SUM WHERE SLOTS = 0 AND MINUTES = 0 AND DAY_KEY IN (SELECT DAY_KEY FROM SAS_AN_SLOT_CHANGE u WHERE u."
				+ marked + ")");
		Sql.update(c, "DELETE FROM SAS_AN_SLOT_CHANGE WHERE " + marked);
		dropClosedPairs(c);
		return pairDays;
	}

	/** Adds the marked pairs' folded rows to the sums, or takes them out ({@code sign} "-"). */
	private static void addSums(Connection c, boolean postgres, String units, String sign) throws SQLException {
		for (Map.Entry<String, String> dimension : DIMENSIONS.entrySet()) {
			String value = "f." + dimension.getValue();
			Sql.update(c, SlotPairs.upsert(postgres, "SAS_AN_SLOT_SUM", SUM_KEY, List.of("MONTH_KEY"), List.of("SLOTS", "MINUTES"),
					"SELECT f.DAY_KEY, '" + dimension.getKey() + "' AS DIMENSION, " + value + " AS VAL, f.MONTH_KEY, " + sign
							+ "SUM(f.SLOTS) AS SLOTS, " + sign + "SUM(f.MINUTES) AS MINUTES FROM " + SlotPairs.foldedRows(units)
							+ " GROUP BY f.DAY_KEY, f.MONTH_KEY, " + value,
					(stored, added) -> stored + " + " + added));
		}
	}

	/** The pairs' rows of closed days are not needed once no change of theirs waits (a closed day's slots do not change). */
	private static void dropClosedPairs(Connection c) throws SQLException {
		for (LocalDate day : Sql.query(c, "SELECT d.DAY_KEY FROM SAS_AN_CLOSED_DAY d WHERE EXISTS"
				+ " (SELECT 1 FROM SAS_AN_SLOT_PAIR f WHERE f.DAY_KEY = d.DAY_KEY)", r -> r.getDate(1).toLocalDate())) {
			Sql.update(c, "DELETE FROM SAS_AN_SLOT_PAIR f WHERE f.DAY_KEY = ? AND NOT EXISTS (SELECT 1 FROM SAS_AN_SLOT_CHANGE u"
					+ " WHERE u.DAY_KEY = f.DAY_KEY AND u.PRACTITIONER = f.PRACTITIONER AND u.STRUCTURE = f.STRUCTURE)", day);
		}
	}

	/** The pairs' rows of the slot rows {@code source} gives: per day, pair and values ({@code ''} for none). */
	private static String insertPairs(String source) {
		StringBuilder values = new StringBuilder();
		for (String column : SlotPairs.VALUES) {
			values.append(", COALESCE(").append(column).append(", '')");
		}
		return "INSERT INTO SAS_AN_SLOT_PAIR (DAY_KEY, MONTH_KEY, WEEK_KEY, " + String.join(", ", SlotPairs.VALUES) + ", SLOTS, MINUTES)"
				+ " SELECT DAY_KEY, MONTH_KEY, WEEK_KEY" + values + ", SUM(SLOTS), SUM(MINUTES) FROM " + source
				+ " GROUP BY DAY_KEY, MONTH_KEY, WEEK_KEY" + values;
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

	/** Marks a pair's slots of a day changed (by the writer, in its transaction: an insert, never a wait). */
	static void changed(Connection c, LocalDate day, String practitioner, String structure) throws SQLException {
		Sql.update(c, "INSERT INTO SAS_AN_SLOT_CHANGE (CHANGE_ID, DAY_KEY, MONTH_KEY, PRACTITIONER, STRUCTURE) VALUES (?, ?, ?, ?, ?)",
				UUID.randomUUID().toString(), day, Calendar.month(day), practitioner == null ? "" : practitioner,
				structure == null ? "" : structure);
	}

	private interface Work<T> {
		T run(Connection connection) throws SQLException;
	}

	private <T> T inTransaction(Work<T> work) {
		return transaction.execute(tx -> entityManager.unwrap(Session.class).doReturningWork(work::run));
	}
}
