package fr.sas.fhir.analytics;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL of a changed pair's day (a practitioner-structure pair's slots of one day, marked in
 * {@code SAS_AN_SLOT_CHANGE}), shared by the fold and the evaluations: its rows as last folded
 * ({@code SAS_AN_SLOT_PAIR}) and its slots as they are now (the facts, or the daily aggregate of a closed day), each
 * read through the pair's index, never a whole day. The pair's columns hold {@code ''} for none; the facts' hold null.
 */
final class SlotPairs {

	/** The facts' and the aggregate's columns of a slot row, in {@link SlotSummaries#slotRows}' order. */
	static final String COLUMNS = "DAY_KEY, MONTH_KEY, WEEK_KEY, PRACTITIONER, STRUCTURE, DEPARTEMENT, SPECIALTY, SLOT_TYPE, USE_CASE,"
			+ " PUBLISHER, SLOTS, MINUTES";

	/** The columns a pair's row is grouped by ({@code ''} for none), after its day, month and week. */
	static final List<String> VALUES = List.of("PRACTITIONER", "STRUCTURE", "DEPARTEMENT", "SPECIALTY", "SLOT_TYPE", "USE_CASE", "PUBLISHER");

	/** One bit per day of the month: bit {@code d-1} for day {@code d} (of a date column). */
	static String dayBit(String day) {
		return "CAST(POWER(2, EXTRACT(DAY FROM " + day + ") - 1) AS INTEGER)";
	}

	private SlotPairs() {}

	/** The distinct changed pairs' days among the change rows {@code condition} selects (a condition the server writes). */
	static String units(String condition) {
		return "(SELECT DISTINCT DAY_KEY, MONTH_KEY, PRACTITIONER, STRUCTURE FROM SAS_AN_SLOT_CHANGE WHERE PRACTITIONER IS NOT NULL AND "
				+ condition + ")";
	}

	/**
	 * The slot rows (facts of days not closed, the daily aggregate of closed ones) of the {@code units}, with
	 * {@link #COLUMNS}: one join per shape of pair, so that each is an equality on the index (a null is not equal to
	 * {@code ''}).
	 */
	static String currentRows(String units) {
		String[] shapes = {
			"r.PRACTITIONER = u.PRACTITIONER AND (r.STRUCTURE = u.STRUCTURE OR (r.STRUCTURE IS NULL AND u.STRUCTURE = ''))",
			"r.PRACTITIONER IS NULL AND u.PRACTITIONER = '' AND r.STRUCTURE = u.STRUCTURE",
			"r.PRACTITIONER IS NULL AND u.PRACTITIONER = '' AND r.STRUCTURE IS NULL AND u.STRUCTURE = ''"};
		StringBuilder sql = new StringBuilder("(");
		for (String shape : shapes) {
			if (sql.length() > 1) {
				sql.append(" UNION ALL ");
			}
			sql.append("SELECT ").append(prefixed("r", COLUMNS)).append(" FROM SAS_AN_SLOT_DAY r JOIN ").append(units)
					.append(" u ON r.DAY_KEY = u.DAY_KEY AND ").append(shape);
			sql.append(" UNION ALL SELECT ").append(prefixed("r", COLUMNS.replace("SLOTS", "1 AS SLOTS")))
					.append(" FROM SAS_AN_SLOT r JOIN ").append(units).append(" u ON r.DAY_KEY = u.DAY_KEY AND ").append(shape)
					.append(" AND r.DAY_KEY NOT IN (SELECT DAY_KEY FROM SAS_AN_CLOSED_DAY)");
		}
		return sql.append(") cr").toString();
	}

	/** The folded rows ({@code SAS_AN_SLOT_PAIR}, alias {@code f}) of the {@code units}. */
	static String foldedRows(String units) {
		return "SAS_AN_SLOT_PAIR f JOIN " + units + " u ON f.DAY_KEY = u.DAY_KEY AND f.PRACTITIONER = u.PRACTITIONER"
				+ " AND f.STRUCTURE = u.STRUCTURE";
	}

	/** Per month and pair of the {@code units}, the bits of its changed days ({@code C}). */
	static String masks(String units) {
		return "(SELECT MONTH_KEY, PRACTITIONER, STRUCTURE, CAST(SUM(" + dayBit("DAY_KEY") + ") AS INTEGER) AS C FROM " + units
				+ " m WHERE PRACTITIONER <> '' OR STRUCTURE <> '' GROUP BY MONTH_KEY, PRACTITIONER, STRUCTURE)";
	}

	/** Each column of a list, qualified by a table alias ({@code 1 AS SLOTS} is left as it is). */
	private static String prefixed(String alias, String columns) {
		return java.util.Arrays.stream(columns.split(", ")).map(c -> c.contains(" ") ? c : alias + "." + c).collect(Collectors.joining(", "));
	}

	static String and(boolean postgres, String a, String b) {
		return postgres ? "(" + a + " & " + b + ")" : "BITAND(" + a + ", " + b + ")";
	}

	static String or(boolean postgres, String a, String b) {
		return postgres ? "(" + a + " | " + b + ")" : "BITOR(" + a + ", " + b + ")";
	}

	static String not(boolean postgres, String a) {
		return postgres ? "(~" + a + ")" : "BITNOT(" + a + ")";
	}

	/**
	 * Adds the rows {@code select} gives (columns {@code keys}, {@code kept}, then {@code merged}; one row per key) to
	 * a table: a row whose key is there gets each merged column as {@code merge} says (SQL of the stored and the new
	 * value), another is inserted. PostgreSQL's {@code ON CONFLICT} (the key is the table's primary key), H2's
	 * {@code MERGE}.
	 */
	static String upsert(boolean postgres, String table, List<String> keys, List<String> kept, List<String> merged, String select,
			java.util.function.BinaryOperator<String> merge) {
		List<String> all = new java.util.ArrayList<>(keys);
		all.addAll(kept);
		all.addAll(merged);
		String columns = String.join(", ", all);
		if (postgres) {
			return "INSERT INTO " + table + " (" + columns + ") SELECT * FROM (" + select + ") d ON CONFLICT (" + String.join(", ", keys)
					+ ") DO UPDATE SET " + merged.stream().map(v -> v + " = " + merge.apply(table + "." + v, "EXCLUDED." + v))
							.collect(Collectors.joining(", "));
		}
		return "MERGE INTO " + table + " t USING (" + select + ") d ON (" + keys.stream().map(k -> "t." + k + " = d." + k)
				.collect(Collectors.joining(" AND ")) + ") WHEN MATCHED THEN UPDATE SET "
				+ merged.stream().map(v -> v + " = " + merge.apply("t." + v, "d." + v)).collect(Collectors.joining(", "))
				+ " WHEN NOT MATCHED THEN INSERT (" + columns + ") VALUES (" + prefixed("d", columns) + ")";
	}
}
