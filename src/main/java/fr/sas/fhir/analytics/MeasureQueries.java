package fr.sas.fhir.analytics;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.hibernate.Session;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each indicator as SQL: a source (rows of a fact table, the daily aggregate, the audit trail or the LRM outbox
 * within the period), the expression of each stratifier, the aggregate of each group. One query per stratifier
 * (a distinct count cannot be summed over strata), each a GROUP BY served by the tables' day index; the slot measures
 * read the slot summaries for the days they hold ({@link SlotSummaries}).
 */
class MeasureQueries {

	/** The value of every group for one stratum (or for the whole population). */
	record Figures(long[] values) {}

	/** A dimension: its SQL expression, and how a value read is turned into a stratum (null: as read). */
	record Dimension(String sql, UnaryOperator<String> fold) {
		static Dimension of(String sql) {
			return new Dimension(sql, null);
		}
	}

	/**
	 * An indicator: its source for a period, its dimensions, one aggregate per group (in the Measure's order);
	 * {@code summarized}: read from the slot summaries ({@link SlotSummaries}) for the days they hold.
	 */
	record Indicator(String id, Source source, Map<String, Dimension> dimensions, Map<String, String> groups, boolean summarized) {
		Indicator(String id, Source source, Map<String, Dimension> dimensions, Map<String, String> groups) {
			this(id, source, dimensions, groups, false);
		}
	}

	interface Source {
		/** The FROM clause, bound parameters. */
		Bound from(Period period, boolean postgres);
	}

	record Bound(String sql, Object[] parameters) {}

	/** Days inclusive, and the instants they span in the programme's zone. */
	record Period(LocalDate start, LocalDate end, Instant from, Instant to) {}

	static final String UNKNOWN = "unknown";

	private final Map<String, Indicator> indicators = new LinkedHashMap<>();
	private final TransactionTemplate readOnly;

	@PersistenceContext
	private EntityManager entityManager;

	MeasureQueries(PlatformTransactionManager transactions) {
		this.readOnly = new TransactionTemplate(transactions);
		this.readOnly.setReadOnly(true);
		define();
	}

	Optional<Indicator> indicator(String id) {
		return Optional.ofNullable(indicators.get(id));
	}

	private void define() {
		Map<String, Dimension> slotDims = new LinkedHashMap<>();
		SlotSummaries.DIMENSIONS.forEach((name, column) -> slotDims.put(name, Dimension.of(column)));
		// closed days from the daily aggregate, the others from the facts (the days the summaries do not hold)
		Source slots = (p, pg) -> new Bound(SlotSummaries.slotRows("DAY_KEY >= ? AND DAY_KEY <= ?"),
				new Object[] {p.start(), p.end(), p.start(), p.end()});
		indicators.put("sas-slots-offered", new Indicator("sas-slots-offered", slots, slotDims,
				Map.of("slots", "SUM(SLOTS)", "hours", "SUM(MINUTES)"), true));
		indicators.put("sas-practitioners-with-slots", new Indicator("sas-practitioners-with-slots", slots, slotDims,
				Map.of("practitioners", "COUNT(DISTINCT PRACTITIONER)"), true));
		Map<String, Dimension> structureDims = new LinkedHashMap<>(slotDims);
		structureDims.remove("specialty");
		structureDims.remove("slot-type");
		indicators.put("sas-structures-with-slots", new Indicator("sas-structures-with-slots", slots, structureDims,
				Map.of("structures", "COUNT(DISTINCT STRUCTURE)"), true));

		Map<String, Dimension> appointmentDims = new LinkedHashMap<>();
		appointmentDims.put("month", Dimension.of("MONTH_KEY"));
		appointmentDims.put("week", Dimension.of("WEEK_KEY"));
		appointmentDims.put("departement", Dimension.of("DEPARTEMENT"));
		appointmentDims.put("status", Dimension.of("STATUS"));
		appointmentDims.put("orientation", Dimension.of("ORIENTATION"));
		appointmentDims.put("use-case", Dimension.of("USE_CASE"));
		appointmentDims.put("specialty", Dimension.of("SPECIALTY"));
		appointmentDims.put("publisher", Dimension.of("PUBLISHER"));
		indicators.put("sas-orientations", new Indicator("sas-orientations",
				(p, pg) -> new Bound("SAS_AN_APPOINTMENT WHERE DAY_KEY >= ? AND DAY_KEY <= ?", new Object[] {p.start(), p.end()}),
				appointmentDims, Map.of("appointments", "COUNT(*)")));

		Map<String, Dimension> accountDims = new LinkedHashMap<>();
		accountDims.put("month", Dimension.of("MONTH_KEY"));
		accountDims.put("week", Dimension.of("WEEK_KEY"));
		indicators.put("sas-regulator-accounts", new Indicator("sas-regulator-accounts",
				(p, pg) -> new Bound("SAS_AN_ACCOUNT WHERE DAY_KEY <= ?", new Object[] {p.end()}), accountDims,
				// the period's start is a date the server formats, written in the SQL as a literal
				Map.of("created", "SUM(CASE WHEN DAY_KEY >= DATE '%start%' THEN 1 ELSE 0 END)",
						"active", "SUM(CASE WHEN ACTIVE THEN 1 ELSE 0 END)")));

		Map<String, Dimension> messageDims = new LinkedHashMap<>();
		messageDims.put("month", new Dimension("%month(RECORDED_AT)%", null));
		messageDims.put("week", new Dimension("%week(RECORDED_AT)%", null));
		messageDims.put("state", Dimension.of("STATE"));
		messageDims.put("samu", Dimension.of("RECIPIENT"));
		messageDims.put("departement", new Dimension("RECIPIENT", MeasureQueries::departementOfSamu));
		indicators.put("sas-lrm-transmissions", new Indicator("sas-lrm-transmissions",
				(p, pg) -> new Bound("SAS_LRM_MESSAGE WHERE RECORDED_AT >= ? AND RECORDED_AT < ?", new Object[] {p.from(), p.to()}),
				messageDims, Map.of("messages", "COUNT(*)")));

		Map<String, Dimension> searchDims = new LinkedHashMap<>();
		searchDims.put("month", new Dimension("%month(RECORDED_AT)%", null));
		searchDims.put("week", new Dimension("%week(RECORDED_AT)%", null));
		searchDims.put("search", Dimension.of("CASE WHEN INTERACTION LIKE '%contextual-search' THEN 'contextual'"
				+ " WHEN TARGET LIKE 'Schedule%' THEN 'guide-sos' WHEN TARGET LIKE '%service-type-reference%' THEN 'guide-cpts'"
				+ " ELSE 'guide-individual' END"));
		searchDims.put("origin", Dimension.of("%origin(TARGET)%"));
		searchDims.put("role", Dimension.of("ROLE"));
		indicators.put("sas-searches", new Indicator("sas-searches",
				(p, pg) -> new Bound("SAS_AUDIT WHERE RECORDED_AT >= ? AND RECORDED_AT < ? AND STATUS < 400 AND ("
						+ "(INTERACTION = 'search-type' AND TARGET LIKE 'Slot?%' AND TARGET LIKE '%actor%identifier%')"
						+ " OR (INTERACTION = 'search-type' AND TARGET LIKE 'Schedule?%' AND TARGET LIKE '%has%')"
						+ " OR INTERACTION LIKE '%$contextual-search')", new Object[] {p.from(), p.to()}),
				searchDims, Map.of("searches", "COUNT(*)")));
		defineMonitoring();
	}

	/**
	 * The monitoring's tables, read by SQL as the audit trail is (the packages do not import each other): its per-minute
	 * call counts ({@code SAS_MONITORING_CALLS}, one row per node, endpoint, use case and minute) and its alerts
	 * ({@code SAS_MONITORING_ALERT}).
	 */
	private void defineMonitoring() {
		Map<String, Dimension> callDims = new LinkedHashMap<>();
		callDims.put("month", Dimension.of("MONTH_KEY"));
		callDims.put("week", Dimension.of("WEEK_KEY"));
		callDims.put("publisher", Dimension.of("ENDPOINT"));
		callDims.put("use-case", Dimension.of("USE_CASE"));
		Map<String, String> outcomes = new LinkedHashMap<>();
		outcomes.put("calls", "SUM(CALLS)");
		outcomes.put("answered", "SUM(ANSWERED)");
		outcomes.put("failures", "SUM(FAILURES)");
		outcomes.put("timeouts", "SUM(TIMEOUTS)");
		outcomes.put("http-errors", "SUM(HTTP_ERRORS)");
		outcomes.put("tls-errors", "SUM(TLS_ERRORS)");
		outcomes.put("not-called", "SUM(NOT_CALLED)");
		outcomes.put("invalid", "SUM(INVALID)");
		// the days closed by DayClosing from their daily sums (kept), the others from the monitoring's minutes (kept 2 days)
		indicators.put("sas-publisher-calls", new Indicator("sas-publisher-calls",
				(p, pg) -> new Bound("(SELECT " + dialect("%month(MINUTE_AT)%", pg) + " AS MONTH_KEY, " + dialect("%week(MINUTE_AT)%", pg)
						+ " AS WEEK_KEY, ENDPOINT, USE_CASE, " + DayClosing.CALL_COLUMNS + " FROM SAS_MONITORING_CALLS m"
						+ " WHERE MINUTE_AT >= ? AND MINUTE_AT < ? AND NOT EXISTS (SELECT 1 FROM SAS_AN_CLOSED_CALL_DAY d"
						+ " WHERE m.MINUTE_AT >= d.FROM_AT AND m.MINUTE_AT < d.TO_AT)"
						+ " UNION ALL SELECT MONTH_KEY, WEEK_KEY, ENDPOINT, USE_CASE, " + DayClosing.CALL_COLUMNS
						+ " FROM SAS_AN_CALL_DAY WHERE DAY_KEY >= ? AND DAY_KEY <= ?) calls",
						new Object[] {p.from(), p.to(), p.start(), p.end()}),
				callDims, outcomes));

		Map<String, Dimension> alertDims = new LinkedHashMap<>();
		alertDims.put("month", new Dimension("%month(OPENED_AT)%", null));
		alertDims.put("week", new Dimension("%week(OPENED_AT)%", null));
		// stored by the monitoring with each alert (its rule's severity when it opened): one source, the rules
		alertDims.put("severity", Dimension.of("SEVERITY"));
		alertDims.put("rule", Dimension.of("RULE_CODE"));
		alertDims.put("publisher", Dimension.of("ENDPOINT"));
		alertDims.put("state", Dimension.of("CASE WHEN CLOSED_AT IS NULL THEN 'open' ELSE 'closed' END"));
		indicators.put("sas-anomalies", new Indicator("sas-anomalies",
				(p, pg) -> new Bound("SAS_MONITORING_ALERT WHERE OPENED_AT >= ? AND OPENED_AT < ?", new Object[] {p.from(), p.to()}),
				alertDims, Map.of("anomalies", "COUNT(*)")));
	}

	/** {@code fr.health.samu350} is the SAMU of département 35 ({@code samu2A0}: 2A, {@code samu974}: 974). */
	static String departementOfSamu(String recipient) {
		if (recipient == null) {
			return null;
		}
		int at = recipient.lastIndexOf("samu");
		if (at < 0) {
			return null;
		}
		String code = recipient.substring(at + 4);
		return code.length() == 3 && code.endsWith("0") ? code.substring(0, 2) : code;
	}

	/** The whole population's figures, then each stratifier's, group values in {@code groups}' order. */
	Map<String, Map<String, long[]>> evaluate(Indicator indicator, List<String> groups, List<String> stratifiers, Period period) {
		return readOnly.execute(tx -> entityManager.unwrap(Session.class).doReturningWork(c -> {
			boolean postgres = Sql.isPostgres(c);
			if (postgres) {
				// a report's statement of a second or less: compiling it (inlined, optimized past 500,000 of estimated cost)
				// took longer than running it (EXPLAIN ANALYZE: 2.05 s with, 0.59 s without, docs/analytics.md)
				Sql.update(c, "SET LOCAL jit = off");
			}
			Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
			if (!tableExists(c, indicator)) {
				out.put("", Map.of("", new long[groups.size()]));
				stratifiers.forEach(s -> out.put(s, Map.of()));
				return out;
			}
			if (indicator.summarized()) {
				Map<String, Map<String, long[]>> slots = runSlots(c, indicator, groups, stratifiers, SlotPlan.read(c, period), postgres);
				out.put("", Map.of("", slots.get("").values().stream().findFirst().orElse(new long[groups.size()])));
				stratifiers.forEach(s -> out.put(s, slots.get(s)));
				return out;
			}
			out.put("", Map.of("", run(c, indicator, groups, null, period, postgres).values().stream().findFirst()
					.orElse(new long[groups.size()])));
			for (String stratifier : stratifiers) {
				out.put(stratifier, run(c, indicator, groups, indicator.dimensions().get(stratifier), period, postgres));
			}
			return out;
		}));
	}

	private boolean tableExists(Connection c, Indicator indicator) throws SQLException {
		String table = switch (indicator.id()) {
			case "sas-lrm-transmissions" -> "SAS_LRM_MESSAGE";
			case "sas-searches" -> "SAS_AUDIT";
			case "sas-publisher-calls" -> "SAS_MONITORING_CALLS";
			case "sas-anomalies" -> "SAS_MONITORING_ALERT";
			default -> null;
		};
		return table == null || tableExists(c, table);
	}

	/** Whether a table of another package is there (its package may be left out of a build or context). */
	static boolean tableExists(Connection c, String table) throws SQLException {
		for (String name : List.of(table, table.toLowerCase())) {
			try (var tables = c.getMetaData().getTables(null, null, name, null)) {
				if (tables.next()) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * The days of a period the slot summaries hold (their month folded, no whole day marked changed), the others, read
	 * from the facts and the daily aggregate, and whether some pair's day among the first changed since the fold.
	 */
	record SlotPlan(List<LocalDate> summarized, List<LocalDate> raw, boolean changes) {
		static SlotPlan read(Connection c, Period period) throws SQLException {
			Set<String> folded = new HashSet<>(Sql.query(c, "SELECT MONTH_KEY FROM SAS_AN_FOLDED_MONTH WHERE MONTH_KEY >= ? AND MONTH_KEY <= ?"
					+ " AND SUMMARY_FORMAT = ?", r -> r.getString(1), Calendar.month(period.start()), Calendar.month(period.end()),
					SlotSummaries.FORMAT));
			Set<LocalDate> changed = new HashSet<>(Sql.query(c, "SELECT DISTINCT DAY_KEY FROM SAS_AN_SLOT_CHANGE WHERE DAY_KEY >= ?"
					+ " AND DAY_KEY <= ? AND PRACTITIONER IS NULL", r -> r.getDate(1).toLocalDate(), period.start(), period.end()));
			List<LocalDate> summarized = new ArrayList<>();
			List<LocalDate> raw = new ArrayList<>();
			for (LocalDate day = period.start(); !day.isAfter(period.end()); day = day.plusDays(1)) {
				(folded.contains(Calendar.month(day)) && !changed.contains(day) ? summarized : raw).add(day);
			}
			boolean changes = !summarized.isEmpty() && !Sql.query(c, "SELECT 1 FROM SAS_AN_SLOT_CHANGE WHERE PRACTITIONER IS NOT NULL AND DAY_KEY IN ("
					+ days(summarized) + ") FETCH FIRST 1 ROWS ONLY", r -> 1).isEmpty();
			return new SlotPlan(summarized, raw, changes);
		}

		/** Per month, the bits of its summarized days (bit {@code d-1} for day {@code d}). */
		Map<String, Integer> masks() {
			Map<String, Integer> masks = new LinkedHashMap<>();
			for (LocalDate day : summarized) {
				masks.merge(Calendar.month(day), 1 << (day.getDayOfMonth() - 1), (a, b) -> a | b);
			}
			return masks;
		}

		/** The changed pairs' days among the summarized days. */
		String units() {
			return SlotPairs.units("DAY_KEY IN (" + days(summarized) + ")");
		}
	}

	/** A date list the server formats (never a caller's text), for an IN clause. */
	private static String days(List<LocalDate> days) {
		return days.stream().map(d -> "DATE '" + d + "'").collect(Collectors.joining(", "));
	}

	/**
	 * A slot measure, the whole population ({@code ""}) and each stratifier, in one statement (the changed pairs' rows
	 * read once, as common table expressions), one GROUP BY per stratifier (a practitioner found in several parts is
	 * counted once): the summarized days from the summaries (sums per day, or the practitioner-structure pairs whose
	 * days meet the period), where a pair's day changed since the fold its folded rows taken out ({@code prev}, or its
	 * changed days' bits, {@code ch}) and its slots taken in ({@code cur}), read through the pairs' indexes: the work
	 * follows the changes, not the days' size. The other days from the slots.
	 */
	private Map<String, Map<String, long[]>> runSlots(Connection c, Indicator indicator, List<String> groups, List<String> stratifiers,
			SlotPlan plan, boolean postgres) throws SQLException {
		boolean distinct = groups.stream().anyMatch(g -> indicator.groups().get(g).contains("DISTINCT"));
		List<String> with = new ArrayList<>();
		if (plan.changes()) {
			with.add("pd AS " + plan.units());
			with.add("cur AS (SELECT * FROM " + SlotPairs.currentRows("pd") + ")");
			with.add(distinct ? "ch AS " + SlotPairs.masks("pd") : "prev AS (SELECT f.* FROM " + SlotPairs.foldedRows("pd") + ")");
		}
		List<String> aggregates = new ArrayList<>();
		for (String group : groups) {
			aggregates.add("COALESCE(" + indicator.groups().get(group) + ", 0)");
		}
		List<String> blocks = new ArrayList<>();
		List<String> all = new ArrayList<>();
		all.add(null);
		all.addAll(stratifiers);
		for (String stratifier : all) {
			// practitioners: the changed ones' rows through the key; structures (not first in it): the union below
			if (distinct && plan.changes() && plan.raw().isEmpty() && groups.size() == 1
					&& indicator.groups().get(groups.get(0)).contains("PRACTITIONER")) {
				blocks.add(correctedCount(indicator, groups, stratifier, plan, postgres));
				continue;
			}
			List<String> parts = distinct ? distinctParts(indicator, groups, stratifier, plan, postgres) : sumParts(stratifier, plan);
			if (!parts.isEmpty()) {
				blocks.add("SELECT '" + (stratifier == null ? "" : stratifier) + "' AS D, " + (stratifier == null ? "''" : "K") + " AS K, "
						+ String.join(", ", aggregates) + " FROM (" + String.join(" UNION ALL ", parts) + ") u"
						+ (stratifier == null ? "" : " GROUP BY K"));
			}
		}
		Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
		all.forEach(s -> out.put(s == null ? "" : s, new LinkedHashMap<>()));
		if (blocks.isEmpty()) {
			return out;
		}
		String sql = (with.isEmpty() ? "" : "WITH " + String.join(", ", with) + " ") + String.join(" UNION ALL ", blocks);
		for (Object[] row : Sql.query(c, sql, r -> {
			Object[] values = new Object[groups.size() + 2];
			values[0] = r.getString(1);
			values[1] = r.getString(2);
			for (int i = 0; i < groups.size(); i++) {
				values[i + 2] = r.getLong(i + 3);
			}
			return values;
		})) {
			String value = (String) row[1];
			long[] figures = out.get((String) row[0]).computeIfAbsent(value == null || value.isBlank() ? UNKNOWN : value,
					k -> new long[groups.size()]);
			for (int i = 0; i < groups.size(); i++) {
				figures[i] += (Long) row[i + 2];
			}
		}
		// a value whose every slot was withdrawn since the fold adds up to nothing: no stratum, as before the fold
		stratifiers.forEach(s -> out.get(s).values().removeIf(figures -> java.util.Arrays.stream(figures).allMatch(v -> v == 0)));
		return out;
	}

	/** The rows of a sum (slots, minutes) for one stratifier (null: the whole population), by {@code K}. */
	private static List<String> sumParts(String stratifier, SlotPlan plan) {
		String dimension = stratifier == null ? SlotSummaries.WHOLE : stratifier;
		String column = SlotSummaries.DIMENSIONS.get(dimension);
		List<String> parts = new ArrayList<>();
		if (!plan.summarized().isEmpty()) {
			parts.add("SELECT VAL AS K, SLOTS, MINUTES FROM SAS_AN_SLOT_SUM WHERE DIMENSION = '" + dimension + "' AND DAY_KEY IN ("
					+ days(plan.summarized()) + ")");
		}
		if (plan.changes()) {
			parts.add("SELECT " + column + " AS K, -SLOTS AS SLOTS, -MINUTES AS MINUTES FROM prev");
			parts.add("SELECT COALESCE(" + column + ", '') AS K, SLOTS, MINUTES FROM cur");
		}
		if (!plan.raw().isEmpty()) {
			parts.add("SELECT COALESCE(" + column + ", '') AS K, SLOTS, MINUTES FROM "
					+ SlotSummaries.slotRows("DAY_KEY IN (" + days(plan.raw()) + ")"));
		}
		return parts;
	}

	/**
	 * A distinct count of practitioners for one stratifier, all days summarized, some pairs changed: the
	 * folded count (the summaries' ordered index alone, as without changes), minus the changed pairs' practitioners
	 * it holds, plus those of them that count now (their folded days but the changed ones, and their current slots).
	 * Only the first part reads a month's pairs; the others read the changed practitioners' rows through the key.
	 */
	private static String correctedCount(Indicator indicator, List<String> groups, String stratifier, SlotPlan plan, boolean postgres) {
		String dimension = stratifier == null ? SlotSummaries.WHOLE : stratifier;
		String column = SlotSummaries.DIMENSIONS.get(dimension);
		String entity = "PRACTITIONER";
		String key = stratifier == null ? "''" : "a.VAL";
		String group = stratifier == null ? "" : " GROUP BY a.VAL";
		String actors = " FROM SAS_AN_SLOT_ACTOR a%s WHERE a.MONTH_KEY IN ('" + String.join("', '", plan.masks().keySet()) + "')"
				+ " AND a.DIMENSION = '" + dimension + "' AND a." + entity + " <> ''%s AND (%s)";
		String changed = " AND a." + entity + " IN (SELECT " + entity + " FROM pd WHERE " + entity + " <> '')";
		String days = SlotPairs.and(postgres, "a.DAYS", SlotPairs.not(postgres, "COALESCE(ch.C, 0)"));
		String folded = "SELECT " + key + " AS K, COUNT(DISTINCT a." + entity + ") AS N" + String.format(actors, "", "", meets(plan, "a.DAYS", postgres))
				+ group;
		String held = "SELECT " + key + " AS K, -COUNT(DISTINCT a." + entity + ") AS N"
				+ String.format(actors, "", changed, meets(plan, "a.DAYS", postgres)) + group;
		String now = "SELECT K, COUNT(DISTINCT E) AS N FROM (SELECT " + key + " AS K, a." + entity + " AS E"
				+ String.format(actors, " LEFT JOIN ch ON ch.MONTH_KEY = a.MONTH_KEY AND ch.PRACTITIONER = a.PRACTITIONER"
						+ " AND ch.STRUCTURE = a.STRUCTURE", changed, meets(plan, days, postgres))
				+ " UNION ALL SELECT " + (stratifier == null ? "''" : "COALESCE(" + column + ", '')") + " AS K, " + entity + " AS E FROM cur) n"
				+ " GROUP BY K";
		return "SELECT '" + (stratifier == null ? "" : stratifier) + "' AS D, K, SUM(N) FROM (" + folded + " UNION ALL " + held
				+ " UNION ALL " + now + ") s GROUP BY K";
	}

	/** An ACTOR row's days ({@code days}, SQL) meet the period's summarized days. */
	private static String meets(SlotPlan plan, String days, boolean postgres) {
		List<String> months = new ArrayList<>();
		plan.masks().forEach((month, mask) -> months.add("(a.MONTH_KEY = '" + month + "' AND " + SlotPairs.and(postgres, days,
				String.valueOf(mask)) + " <> 0)"));
		return String.join(" OR ", months);
	}

	/** The practitioners and structures with slots for one stratifier (null: the whole population), by {@code K}. */
	private static List<String> distinctParts(Indicator indicator, List<String> groups, String stratifier, SlotPlan plan, boolean postgres) {
		String dimension = stratifier == null ? SlotSummaries.WHOLE : stratifier;
		String column = SlotSummaries.DIMENSIONS.get(dimension);
		List<String> parts = new ArrayList<>();
		List<String> months = new ArrayList<>();
		// a changed pair's changed days are taken out of its folded days (C: their bits), its slots of them read from cur
		String days = plan.changes() ? SlotPairs.and(postgres, "a.DAYS", SlotPairs.not(postgres, "COALESCE(ch.C, 0)")) : "a.DAYS";
		plan.masks().forEach((month, mask) -> months.add("(a.MONTH_KEY = '" + month + "' AND "
				+ SlotPairs.and(postgres, days, String.valueOf(mask)) + " <> 0)"));
		// only the pairs with what is counted (a structure measure skips the practitioners' own slots)
		boolean structures = groups.stream().allMatch(g -> indicator.groups().get(g).contains("STRUCTURE"));
		if (!months.isEmpty()) {
			parts.add("SELECT a.VAL AS K, NULLIF(a.PRACTITIONER, '') AS PRACTITIONER, NULLIF(a.STRUCTURE, '') AS STRUCTURE"
					+ " FROM SAS_AN_SLOT_ACTOR a" + (plan.changes() ? " LEFT JOIN ch ON ch.MONTH_KEY = a.MONTH_KEY"
							+ " AND ch.PRACTITIONER = a.PRACTITIONER AND ch.STRUCTURE = a.STRUCTURE" : "")
					+ " WHERE a.MONTH_KEY IN ('" + String.join("', '", plan.masks().keySet()) + "')"
					+ " AND a.DIMENSION = '" + dimension + "' AND a." + (structures ? "STRUCTURE" : "PRACTITIONER") + " <> ''"
					+ " AND (" + String.join(" OR ", months) + ")");
		}
		if (plan.changes()) {
			parts.add("SELECT COALESCE(" + column + ", '') AS K, PRACTITIONER, STRUCTURE FROM cur");
		}
		if (!plan.raw().isEmpty()) {
			parts.add("SELECT COALESCE(" + column + ", '') AS K, PRACTITIONER, STRUCTURE FROM "
					+ SlotSummaries.slotRows("DAY_KEY IN (" + days(plan.raw()) + ")"));
		}
		return parts;
	}

	private Map<String, long[]> run(Connection c, Indicator indicator, List<String> groups, Dimension dimension, Period period,
			boolean postgres) throws SQLException {
		Bound from = indicator.source().from(period, postgres);
		List<String> aggregates = new ArrayList<>();
		for (String group : groups) {
			aggregates.add("COALESCE(" + indicator.groups().get(group).replace("%start%", period.start().toString()) + ", 0)");
		}
		String key = dimension == null ? "''" : dialect(dimension.sql(), postgres);
		String sql = "SELECT " + key + " AS K, " + String.join(", ", aggregates) + " FROM " + from.sql()
				+ (dimension == null ? "" : " GROUP BY " + key);
		return strata(c, sql, from.parameters(), groups, dimension);
	}

	private Map<String, long[]> strata(Connection c, String sql, Object[] parameters, List<String> groups, Dimension dimension)
			throws SQLException {
		Map<String, long[]> strata = new LinkedHashMap<>();
		for (Object[] row : Sql.query(c, sql, r -> {
			Object[] values = new Object[groups.size() + 1];
			values[0] = r.getString(1);
			for (int i = 0; i < groups.size(); i++) {
				values[i + 1] = r.getLong(i + 2);
			}
			return values;
		}, parameters)) {
			String value = (String) row[0];
			if (dimension != null && dimension.fold() != null) {
				value = dimension.fold().apply(value);
			}
			long[] figures = strata.computeIfAbsent(value == null || value.isBlank() ? UNKNOWN : value, k -> new long[groups.size()]);
			for (int i = 0; i < groups.size(); i++) {
				figures[i] += (Long) row[i + 1];
			}
		}
		return strata;
	}

	/** The few expressions H2 and PostgreSQL spell differently. */
	private static String dialect(String sql, boolean postgres) {
		String column = sql.contains("(") && sql.startsWith("%") ? sql.substring(sql.indexOf('(') + 1, sql.indexOf(')')) : null;
		if (sql.startsWith("%month(")) {
			return postgres ? "to_char(" + column + ", 'YYYY-MM')" : "FORMATDATETIME(" + column + ", 'yyyy-MM')";
		}
		if (sql.startsWith("%week(")) {
			return postgres ? "to_char(" + column + ", 'IYYY-\"W\"IW')"
					: "CONCAT(CAST(EXTRACT(ISO_WEEK_YEAR FROM " + column + ") AS VARCHAR), '-W', LPAD(CAST(EXTRACT(ISO_WEEK FROM "
							+ column + ") AS VARCHAR), 2, '0'))";
		}
		if (sql.startsWith("%origin(")) {
			return postgres ? "substring(" + column + " from 'origin=([^&]*)')"
					: "REGEXP_SUBSTR(" + column + ", 'origin=([^&]*)', 1, 1, '', 1)";
		}
		return sql;
	}
}
