package fr.sas.fhir.analytics;

import fr.sas.fhir.common.JobLeases;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * As each day closes (in the programme's time zone), one node folds that day's slot facts into the daily aggregate
 * ({@code SAS_AN_SLOT_DAY}: per practitioner or structure and per dimension, counts and minutes), marks the day
 * closed and drops its facts, in one transaction. The housekeeping deletes slots 7 days after they end; the
 * aggregate is written the hour after midnight, and a day missed (every node down) is closed at the next turn, as
 * long as its facts are there: a slot's fact is not deleted with it once its day has begun. Its first turn on a
 * database whose facts were never back-filled runs the back-fill first ({@link FactsBackfill}), under the same lease.
 */
class DayClosing {

	private static final Logger LOG = LoggerFactory.getLogger(DayClosing.class);
	static final String LEASE = "analytics-day-closing";

	private final JobLeases leases;
	private final Clock clock;
	private final Calendar calendar;
	private final Duration lease;
	private final TransactionTemplate transaction;
	private final FactsBackfill backfill;

	@PersistenceContext
	private EntityManager entityManager;

	DayClosing(JobLeases leases, Clock clock, Calendar calendar, AnalyticsProperties properties, PlatformTransactionManager transactions,
			FactsBackfill backfill) {
		this.leases = leases;
		this.backfill = backfill;
		this.clock = clock;
		this.calendar = calendar;
		this.lease = properties.getCloseInterval();
		this.transaction = new TransactionTemplate(transactions);
	}

	@Scheduled(initialDelayString = "${sas.analytics.close-initial-delay:PT2M}", fixedDelayString = "${sas.analytics.close-interval:PT1H}")
	public void run() {
		if (!leases.runAlone(LEASE, lease, () -> {
			// the facts of what was stored before them first: a day closed before its slots are back-filled would miss them
			if (!backfill.backfill(() -> leases.acquire(LEASE, lease)).done()) {
				return;
			}
			closeEndedDays();
			closeCallDays();
		})) {
			LOG.debug("Day closing skipped: another node holds its lease");
		}
	}

	/**
	 * A day's calls are summed this long after its end: each node adds its figures of a minute to the shared row every
	 * {@code sas.monitoring.flush-every} (5 s), so the last minutes of a day may still grow just after midnight.
	 */
	static final Duration CALLS_SETTLE = Duration.ofMinutes(10);

	private static final String CALL_SUMS = "SUM(CALLS), SUM(ANSWERED), SUM(FAILURES), SUM(TIMEOUTS), SUM(HTTP_ERRORS),"
			+ " SUM(TLS_ERRORS), SUM(NOT_CALLED), SUM(INVALID)";
	static final String CALL_COLUMNS = "CALLS, ANSWERED, FAILURES, TIMEOUTS, HTTP_ERRORS, TLS_ERRORS, NOT_CALLED, INVALID";

	/** Closes every day before today that has facts and is not closed yet; returns the days closed. */
	List<LocalDate> closeEndedDays() {
		LocalDate today = calendar.day(clock.instant());
		List<LocalDate> open = inTransaction(c -> Sql.query(c,
				"SELECT DISTINCT DAY_KEY FROM SAS_AN_SLOT WHERE DAY_KEY < ? ORDER BY DAY_KEY", r -> r.getDate(1).toLocalDate(), today));
		for (LocalDate day : open) {
			long slots = inTransaction(c -> close(c, day));
			LOG.info("Analytics: day {} closed, {} slots kept in the daily aggregate", day, slots);
		}
		return open;
	}

	private long close(Connection c, LocalDate day) throws SQLException {
		boolean closed = !Sql.query(c, "SELECT DAY_KEY FROM SAS_AN_CLOSED_DAY WHERE DAY_KEY = ?", r -> 1, day).isEmpty();
		long slots = Sql.query(c, "SELECT COUNT(*) FROM SAS_AN_SLOT WHERE DAY_KEY = ?", r -> r.getLong(1), day).get(0);
		// a late write to an ended slot (rare) re-created a fact of a closed day: it is added to that day's aggregate
		Sql.update(c, "INSERT INTO SAS_AN_SLOT_DAY (ID, DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE, DEPARTEMENT,"
						+ " SPECIALTY, SLOT_TYPE, USE_CASE, PUBLISHER, SLOTS, MINUTES)"
						+ " SELECT " + nextId() + ", g.* FROM (SELECT DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE,"
						+ " DEPARTEMENT, SPECIALTY, SLOT_TYPE, USE_CASE, PUBLISHER, COUNT(*) AS SLOTS, SUM(MINUTES) AS MINUTES"
						+ " FROM SAS_AN_SLOT WHERE DAY_KEY = ? GROUP BY DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE,"
						+ " DEPARTEMENT, SPECIALTY, SLOT_TYPE, USE_CASE, PUBLISHER) g",
				day);
		if (closed) {
			Sql.update(c, "UPDATE SAS_AN_CLOSED_DAY SET SLOTS = SLOTS + ?, CLOSED_AT = ? WHERE DAY_KEY = ?", slots, clock.instant(), day);
		} else {
			Sql.update(c, "INSERT INTO SAS_AN_CLOSED_DAY (DAY_KEY, CLOSED_AT, SLOTS) VALUES (?, ?, ?)", day, clock.instant(), slots);
		}
		Sql.update(c, "DELETE FROM SAS_AN_SLOT WHERE DAY_KEY = ?", day);
		return slots;
	}

	/**
	 * Sums the calls of each ended day not closed yet (from the day after the last one closed, or the first day the
	 * monitoring's table still holds), {@link #CALLS_SETTLE} after its end; returns the days closed. A day without calls
	 * is closed too (nothing to keep), so that the next turn starts after it.
	 */
	List<LocalDate> closeCallDays() {
		Instant now = clock.instant();
		LocalDate first = inTransaction(c -> {
			if (!MeasureQueries.tableExists(c, "SAS_MONITORING_CALLS")) {
				return null;
			}
			LocalDate last = Sql.query(c, "SELECT MAX(DAY_KEY) FROM SAS_AN_CLOSED_CALL_DAY", r -> {
				java.sql.Date day = r.getDate(1);
				return day == null ? null : day.toLocalDate();
			}).get(0);
			if (last != null) {
				return last.plusDays(1);
			}
			Instant earliest = Sql.query(c, "SELECT MIN(MINUTE_AT) FROM SAS_MONITORING_CALLS", r -> {
				java.sql.Timestamp at = r.getTimestamp(1);
				return at == null ? null : at.toInstant();
			}).get(0);
			return earliest == null ? null : calendar.day(earliest);
		});
		List<LocalDate> closed = new ArrayList<>();
		for (LocalDate day = first; day != null && !calendar.start(day.plusDays(1)).plus(CALLS_SETTLE).isAfter(now); day = day.plusDays(1)) {
			LocalDate closing = day;
			long rows = inTransaction(c -> closeCalls(c, closing, now));
			LOG.info("Analytics: publisher calls of {} closed ({} per-minute rows summed)", day, rows);
			closed.add(day);
		}
		return closed;
	}

	private long closeCalls(Connection c, LocalDate day, Instant now) throws SQLException {
		Instant from = calendar.start(day);
		Instant to = calendar.start(day.plusDays(1));
		long rows = Sql.query(c, "SELECT COUNT(*) FROM SAS_MONITORING_CALLS WHERE MINUTE_AT >= ? AND MINUTE_AT < ?",
				r -> r.getLong(1), from, to).get(0);
		Sql.update(c, "INSERT INTO SAS_AN_CALL_DAY (DAY_KEY, ENDPOINT, USE_CASE, MONTH_KEY, WEEK_KEY, " + CALL_COLUMNS + ")"
						+ " SELECT CAST(? AS DATE), ENDPOINT, USE_CASE, CAST(? AS VARCHAR(7)), CAST(? AS VARCHAR(8)), " + CALL_SUMS
						+ " FROM SAS_MONITORING_CALLS WHERE MINUTE_AT >= ? AND MINUTE_AT < ? GROUP BY ENDPOINT, USE_CASE",
				day, Calendar.month(day), Calendar.week(day), from, to);
		Sql.update(c, "INSERT INTO SAS_AN_CLOSED_CALL_DAY (DAY_KEY, FROM_AT, TO_AT, CLOSED_AT, CALL_ROWS) VALUES (?, ?, ?, ?, ?)",
				day, from, to, now, rows);
		return rows;
	}

	private String nextId() {
		SessionFactoryImplementor sessions = entityManager.getEntityManagerFactory().unwrap(SessionFactory.class)
				.unwrap(SessionFactoryImplementor.class);
		return sessions.getJdbcServices().getDialect().getSequenceSupport().getSelectSequenceNextValString("SEQ_SAS_AN_SLOT_DAY");
	}

	private interface Work<T> {
		T run(Connection connection) throws SQLException;
	}

	private <T> T inTransaction(Work<T> work) {
		return transaction.execute(tx -> entityManager.unwrap(Session.class).doReturningWork(work::run));
	}
}
