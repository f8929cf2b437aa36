package fr.sas.fhir.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Rewrites two shapes of the count statement HAPI 8.8.0's generic search sends ({@code _summary=count},
 * {@code _total=accurate}) into statements that give the same number, faster, on PostgreSQL (docs/search.md, "The
 * analyst's counts rewritten"). HAPI counts {@code COUNT(DISTINCT t0.RES_ID)}; {@code RES_ID} is the primary key of
 * {@code HFJ_RESOURCE} (this server does not partition), so:
 * <ul>
 * <li>rooted on {@code HFJ_RESOURCE} alone ({@code _lastUpdated}, a type's count), each row is one resource:
 * {@code COUNT(*)}, without the sort of every id PostgreSQL's {@code COUNT(DISTINCT)} does (1.96 M ids spilled to
 * disk);</li>
 * <li>{@code HFJ_RESOURCE} joined with a tag (through {@code HFJ_TAG_DEF}) and a date ({@code _security}/{@code _tag}
 * and {@code start}, a day's public slots): the resources whose id is among those tagged with one of the tag's
 * definitions that are among the dated ones, counted once each ({@code COUNT(*) ... WHERE t0.RES_ID IN (... WHERE
 * t1.TAG_ID = ANY (ARRAY(definitions)) AND t1.RES_ID IN (...))}). The joins' rows (a tag defined twice with the same
 * code, several date rows of one resource) no longer multiply before being counted; the definitions, read first,
 * no longer hide from the planner how many rows the tag has, and PostgreSQL hashes the day's rows once, shared by
 * its parallel workers, where it hashed the tag's 760,000 rows in each of them.</li>
 * </ul>
 * Every condition keeps its text and its place, so the parameters bind in the same order. A statement is rewritten
 * only when its whole text has one of these shapes, each condition naming only its table's alias, without a
 * sub-select, literal or comment; anything else passes unchanged. {@code sas.postgres.count-rewrites=false} leaves
 * every statement as HAPI sends it.
 */
public final class CountRewrites implements StatementInspector {

	private static final String COUNT = "SELECT COUNT(DISTINCT ";

	/** A count rooted on HFJ_RESOURCE, nothing joined: the WHERE clause follows the root's alias at once. */
	private static final Pattern RESOURCES_ALONE =
			Pattern.compile("SELECT COUNT\\(DISTINCT (t\\d+)\\.RES_ID\\) FROM HFJ_RESOURCE \\1 WHERE ");

	/** The resource, its tag (by definition), its date: the three joins exactly as HAPI writes them. */
	private static final Pattern TAG_AND_DATE = Pattern.compile("SELECT COUNT\\(DISTINCT t0\\.RES_ID\\) FROM HFJ_RESOURCE t0"
			+ " INNER JOIN HFJ_RES_TAG t1 ON \\(t0\\.RES_ID = t1\\.RES_ID\\)"
			+ " INNER JOIN HFJ_TAG_DEF t2 ON \\(t1\\.TAG_ID = t2\\.TAG_ID\\)"
			+ " INNER JOIN HFJ_SPIDX_DATE t3 ON \\(t0\\.RES_ID = t3\\.RES_ID\\) WHERE (.+)");

	private static final Pattern ALIAS = Pattern.compile("\\b(t\\d+)\\.", Pattern.CASE_INSENSITIVE);

	@Override
	public String inspect(String sql) {
		if (sql == null || !sql.startsWith(COUNT) || sql.indexOf('\'') >= 0 || sql.contains("--") || sql.contains("/*")) {
			return sql;
		}
		Matcher alone = RESOURCES_ALONE.matcher(sql);
		if (alone.lookingAt()) {
			// one row per resource whatever the WHERE clause says (a sub-select there filters, it does not join)
			return "SELECT COUNT(*) FROM HFJ_RESOURCE " + alone.group(1) + " WHERE " + sql.substring(alone.end());
		}
		Matcher tagged = TAG_AND_DATE.matcher(sql);
		if (tagged.matches()) {
			List<String> conditions = conjuncts(tagged.group(1));
			if (conditions != null && conditions.size() == 3 && onlyAlias(conditions.get(0), "t0")
					&& onlyAlias(conditions.get(1), "t2") && onlyAlias(conditions.get(2), "t3")) {
				return "SELECT COUNT(*) FROM HFJ_RESOURCE t0 WHERE " + conditions.get(0)
						+ " AND t0.RES_ID IN (SELECT t1.RES_ID FROM HFJ_RES_TAG t1"
						+ " WHERE t1.TAG_ID = ANY (ARRAY(SELECT t2.TAG_ID FROM HFJ_TAG_DEF t2 WHERE " + conditions.get(1) + "))"
						+ " AND t1.RES_ID IN (SELECT t3.RES_ID FROM HFJ_SPIDX_DATE t3 WHERE " + conditions.get(2) + "))";
			}
		}
		return sql;
	}

	/**
	 * The conditions of a WHERE clause HAPI writes as {@code ((a) AND (b) AND (c))}: each a parenthesized group, joined
	 * by AND at the top level. Null for anything else (an OR or NOT at the top, unbalanced parentheses, text between).
	 */
	static List<String> conjuncts(String where) {
		if (where.length() < 2 || where.charAt(0) != '(' || closing(where, 0) != where.length() - 1) {
			return null;
		}
		String body = where.substring(1, where.length() - 1);
		List<String> parts = new ArrayList<>();
		int at = 0;
		while (true) {
			if (at >= body.length() || body.charAt(at) != '(') {
				return null;
			}
			int end = closing(body, at);
			if (end < 0) {
				return null;
			}
			parts.add(body.substring(at, end + 1));
			at = end + 1;
			if (at == body.length()) {
				return parts;
			}
			if (!body.startsWith(" AND ", at)) {
				return null;
			}
			at += " AND ".length();
		}
	}

	/** The index of the parenthesis closing the one at {@code open}; -1 if none. */
	private static int closing(String text, int open) {
		int depth = 0;
		for (int i = open; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '(') {
				depth++;
			} else if (c == ')' && --depth == 0) {
				return i;
			}
		}
		return -1;
	}

	/** The condition names columns of this alias only, and selects nothing. */
	private static boolean onlyAlias(String condition, String alias) {
		if (condition.toUpperCase(java.util.Locale.ROOT).contains("SELECT")) {
			return false;
		}
		Set<String> aliases = new TreeSet<>();
		Matcher m = ALIAS.matcher(condition);
		while (m.find()) {
			aliases.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
		}
		return aliases.equals(Set.of(alias));
	}
}
