package fr.sas.fhir.postgres;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Rewrites HAPI 8.8.0's count of resources alone into an exact, faster statement on PostgreSQL (docs/search.md, "The
 * analyst's counts rewritten"). When a search's count ({@code _summary=count}, {@code _total=accurate}) is rooted on
 * {@code HFJ_RESOURCE} with nothing joined ({@code _lastUpdated}, a type's count), HAPI sends
 * {@code SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0 WHERE ...}: PostgreSQL's {@code COUNT(DISTINCT)} sorts
 * every id it counts (1.96 M slot ids, spilled to disk at {@code work_mem} 32 MB). {@code RES_ID} is the primary key
 * of {@code HFJ_RESOURCE} (this server does not partition), so each row of that table alone is one resource and
 * {@code COUNT(*)} is the same number; a sub-select in the WHERE clause filters those rows, it does not multiply them.
 * <p>
 * Only a statement starting with exactly that count, the root table and its WHERE clause, is rewritten, without a
 * literal or a comment; the rest of its text and its parameters are kept. Anything else passes unchanged: a count
 * rooted on an index table (several rows per resource), one with a join (HAPI's tag and date count, a day's public
 * slots, was measured no faster rewritten), every other statement. {@code sas.postgres.count-rewrites=false} leaves
 * every statement as HAPI sends it.
 */
public final class CountRewrites implements StatementInspector {

	/** A count rooted on HFJ_RESOURCE, nothing joined: the WHERE clause follows the root's alias at once. */
	private static final Pattern RESOURCES_ALONE =
			Pattern.compile("SELECT COUNT\\(DISTINCT (t\\d+)\\.RES_ID\\) FROM HFJ_RESOURCE \\1 WHERE ");

	@Override
	public String inspect(String sql) {
		if (sql == null || !sql.startsWith("SELECT COUNT(DISTINCT ") || sql.indexOf('\'') >= 0 || sql.contains("--")
				|| sql.contains("/*")) {
			return sql;
		}
		Matcher alone = RESOURCES_ALONE.matcher(sql);
		if (alone.lookingAt()) {
			return "SELECT COUNT(*) FROM HFJ_RESOURCE " + alone.group(1) + " WHERE " + sql.substring(alone.end());
		}
		return sql;
	}
}
