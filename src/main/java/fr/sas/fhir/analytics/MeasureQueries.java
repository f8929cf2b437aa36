package fr.sas.fhir.analytics;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.hibernate.Session;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each indicator as SQL: a source (rows of a fact table, the daily aggregate, the audit trail or the LRM outbox
 * within the period), the expression of each stratifier, the aggregate of each group. One query per stratifier
 * (a distinct count cannot be summed over strata), each a GROUP BY served by the tables' day index.
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

	/** An indicator: its source for a period, its dimensions, one aggregate per group (in the Measure's order). */
	record Indicator(String id, Source source, Map<String, Dimension> dimensions, Map<String, String> groups) {}

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
		slotDims.put("month", Dimension.of("MONTH_KEY"));
		slotDims.put("week", Dimension.of("WEEK_KEY"));
		slotDims.put("departement", Dimension.of("DEPARTEMENT"));
		slotDims.put("use-case", Dimension.of("USE_CASE"));
		slotDims.put("specialty", Dimension.of("SPECIALTY"));
		slotDims.put("slot-type", Dimension.of("SLOT_TYPE"));
		slotDims.put("publisher", Dimension.of("PUBLISHER"));
		// closed days from the daily aggregate, the others from the facts
		Source slots = (p, pg) -> new Bound("(SELECT DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE, DEPARTEMENT, SPECIALTY,"
				+ " SLOT_TYPE, USE_CASE, PUBLISHER, SLOTS, MINUTES FROM SAS_AN_SLOT_DAY WHERE DAY_KEY >= ? AND DAY_KEY <= ?"
				+ " UNION ALL SELECT DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE, DEPARTEMENT, SPECIALTY,"
				+ " SLOT_TYPE, USE_CASE, PUBLISHER, 1, MINUTES FROM SAS_AN_SLOT WHERE DAY_KEY >= ? AND DAY_KEY <= ?"
				+ " AND DAY_KEY NOT IN (SELECT DAY_KEY FROM SAS_AN_CLOSED_DAY)) s",
				new Object[] {p.start(), p.end(), p.start(), p.end()});
		indicators.put("sas-slots-offered", new Indicator("sas-slots-offered", slots, slotDims,
				Map.of("slots", "SUM(SLOTS)", "hours", "SUM(MINUTES)")));
		indicators.put("sas-practitioners-with-slots", new Indicator("sas-practitioners-with-slots", slots, slotDims,
				Map.of("practitioners", "COUNT(DISTINCT PRACTITIONER)")));
		Map<String, Dimension> structureDims = new LinkedHashMap<>(slotDims);
		structureDims.remove("specialty");
		structureDims.remove("slot-type");
		indicators.put("sas-structures-with-slots", new Indicator("sas-structures-with-slots", slots, structureDims,
				Map.of("structures", "COUNT(DISTINCT STRUCTURE)")));

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
			Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
			if (!tableExists(c, indicator)) {
				out.put("", Map.of("", new long[groups.size()]));
				stratifiers.forEach(s -> out.put(s, Map.of()));
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
		String table = indicator.id().equals("sas-lrm-transmissions") ? "SAS_LRM_MESSAGE"
				: indicator.id().equals("sas-searches") ? "SAS_AUDIT" : null;
		if (table == null) {
			return true;
		}
		for (String name : List.of(table, table.toLowerCase())) {
			try (var tables = c.getMetaData().getTables(null, null, name, null)) {
				if (tables.next()) {
					return true;
				}
			}
		}
		return false;
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
		Map<String, long[]> strata = new LinkedHashMap<>();
		for (Object[] row : Sql.query(c, sql, r -> {
			Object[] values = new Object[groups.size() + 1];
			values[0] = r.getString(1);
			for (int i = 0; i < groups.size(); i++) {
				values[i + 1] = r.getLong(i + 2);
			}
			return values;
		}, from.parameters())) {
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
