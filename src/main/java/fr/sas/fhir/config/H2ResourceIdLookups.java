package fr.sas.fhir.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Rewrites HAPI's batch lookup of resource ids for H2. Before a transaction is stored HAPI resolves every
 * {@code Type/id} it names with one statement {@code where (t.RES_TYPE=? and t.FHIR_ID=? or t.RES_TYPE=? and
 * t.FHIR_ID=? ...)}. H2 cannot use an index for an OR of ANDs: it reads every row of {@code HFJ_RESOURCE} (or
 * every row of the type), so each transaction of a publisher got slower as the store grew. The row-value form
 * {@code (t.RES_TYPE,t.FHIR_ID) in ((?,?),(?,?)...)} means the same, binds the same parameters in the same
 * order, and H2 answers it with one lookup per id in the unique (type, id) index. PostgreSQL plans the original
 * well and never sees this class.
 */
public final class H2ResourceIdLookups implements StatementInspector {

	private static final Pattern OR_OF_IDS = Pattern.compile(
			"\\((\\w+)\\.RES_TYPE=\\? and \\1\\.FHIR_ID=\\?((?: or \\1\\.RES_TYPE=\\? and \\1\\.FHIR_ID=\\?)+)\\)");
	private static final String ONE_MORE = " or ";

	@Override
	public String inspect(String sql) {
		if (!sql.startsWith("select") || !sql.contains("FHIR_ID=? or ")) {
			return sql;
		}
		Matcher m = OR_OF_IDS.matcher(sql);
		if (!m.find()) {
			return sql;
		}
		String alias = m.group(1);
		int pairs = 1 + countOccurrences(m.group(2), ONE_MORE);
		StringBuilder rowValues = new StringBuilder("((").append(alias).append(".RES_TYPE,").append(alias)
				.append(".FHIR_ID) in (");
		for (int i = 0; i < pairs; i++) {
			rowValues.append(i == 0 ? "(?,?)" : ",(?,?)");
		}
		rowValues.append("))");
		return sql.substring(0, m.start()) + rowValues + sql.substring(m.end());
	}

	private static int countOccurrences(String text, String token) {
		int count = 0;
		for (int at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + token.length())) {
			count++;
		}
		return count;
	}
}
