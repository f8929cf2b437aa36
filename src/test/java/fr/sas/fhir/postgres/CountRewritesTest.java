package fr.sas.fhir.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shapes of HAPI's count statements that are rewritten, how, and the near misses left as they are. */
class CountRewritesTest {

	private final CountRewrites rewrites = new CountRewrites();

	/** As HAPI 8.8.0 sends them (PostgreSQL's log, the parameters as JDBC's '?'). */
	static final String LAST_UPDATED = "SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0 WHERE (((t0.RES_TYPE = ?)"
			+ " AND (t0.RES_DELETED_AT IS NULL)) AND (t0.RES_UPDATED >= ?))";
	static final String TAG_AND_DATE = "SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0"
			+ " INNER JOIN HFJ_RES_TAG t1 ON (t0.RES_ID = t1.RES_ID) INNER JOIN HFJ_TAG_DEF t2 ON (t1.TAG_ID = t2.TAG_ID)"
			+ " INNER JOIN HFJ_SPIDX_DATE t3 ON (t0.RES_ID = t3.RES_ID) WHERE (((t0.RES_TYPE = ?) AND (t0.RES_DELETED_AT IS NULL))"
			+ " AND ((t2.TAG_TYPE = ?) AND (t2.TAG_SYSTEM = ?) AND (t2.TAG_CODE = ?))"
			+ " AND (((t3.HASH_IDENTITY = ?) AND (t3.SP_VALUE_HIGH >= ?)) AND (t3.SP_VALUE_LOW <= ?)))";

	@Test
	void aCountOfResourcesAloneCountsRows() {
		assertThat(rewrites.inspect(LAST_UPDATED)).isEqualTo("SELECT COUNT(*) FROM HFJ_RESOURCE t0 WHERE (((t0.RES_TYPE = ?)"
				+ " AND (t0.RES_DELETED_AT IS NULL)) AND (t0.RES_UPDATED >= ?))");
		String type = "SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0 WHERE ((t0.RES_TYPE = ?) AND (t0.RES_DELETED_AT IS NULL))";
		assertThat(rewrites.inspect(type))
				.isEqualTo("SELECT COUNT(*) FROM HFJ_RESOURCE t0 WHERE ((t0.RES_TYPE = ?) AND (t0.RES_DELETED_AT IS NULL))");
		// a sub-select in the WHERE clause filters the one table's rows, it does not multiply them
		String filtered = "SELECT COUNT(DISTINCT t1.RES_ID) FROM HFJ_RESOURCE t1 WHERE ((t1.RES_TYPE = ?)"
				+ " AND (t1.RES_ID IN (SELECT t0.RES_ID FROM HFJ_SPIDX_TOKEN t0 WHERE (t0.HASH_VALUE = ?))))";
		assertThat(rewrites.inspect(filtered)).startsWith("SELECT COUNT(*) FROM HFJ_RESOURCE t1 WHERE ((t1.RES_TYPE = ?)")
				.endsWith(filtered.substring(filtered.indexOf(" WHERE ")));
	}

	@Test
	void everyOtherStatementPassesUnchanged() {
		String[] unchanged = {
				// rooted on an index table: several rows per resource, the DISTINCT counts
				"SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_SPIDX_DATE t0 WHERE (((t0.HASH_IDENTITY = ?) AND (t0.SP_VALUE_HIGH >= ?)) AND (t0.SP_VALUE_LOW <= ?))",
				"SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_SPIDX_TOKEN t0 WHERE (t0.HASH_SYS_AND_VALUE = ?)",
				// a tag alone, a chain, a join the root is not counted on
				"SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0 INNER JOIN HFJ_RES_TAG t1 ON (t0.RES_ID = t1.RES_ID)"
						+ " INNER JOIN HFJ_TAG_DEF t2 ON (t1.TAG_ID = t2.TAG_ID) WHERE (((t0.RES_TYPE = ?) AND (t0.RES_DELETED_AT IS NULL))"
						+ " AND ((t2.TAG_TYPE = ?) AND (t2.TAG_SYSTEM = ?) AND (t2.TAG_CODE = ?)))",
				"SELECT COUNT(DISTINCT t1.RES_ID) FROM HFJ_RESOURCE t1 INNER JOIN HFJ_SPIDX_DATE t0 ON (t1.RES_ID = t0.RES_ID)"
						+ " INNER JOIN HFJ_SPIDX_TOKEN t2 ON (t1.RES_ID = t2.RES_ID) WHERE (((t0.HASH_IDENTITY = ?) AND (t0.SP_VALUE_HIGH >= ?)) AND (t2.HASH_VALUE = ?))",
				"SELECT COUNT(DISTINCT t0.SRC_RESOURCE_ID) FROM HFJ_RES_LINK t0 INNER JOIN HFJ_RES_LINK t1 ON (t0.TARGET_RESOURCE_ID = t1.SRC_RESOURCE_ID)"
						+ " WHERE ((t0.SRC_PATH = ?) AND ((t1.SRC_PATH = ?) AND (t1.TARGET_RESOURCE_ID = ?)))",
				// HFJ_RESOURCE with another table in its FROM list, joined or not
				"SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0 LEFT OUTER JOIN HFJ_SPIDX_DATE t1 ON (t0.RES_ID = t1.RES_ID) WHERE (t0.RES_TYPE = ?)",
				"SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0, HFJ_SPIDX_DATE t1 WHERE (t0.RES_ID = t1.RES_ID)",
				// the count of another column, or another alias's
				"SELECT COUNT(DISTINCT t0.RES_TYPE) FROM HFJ_RESOURCE t0 WHERE (t0.RES_TYPE = ?)",
				"SELECT COUNT(DISTINCT t1.RES_ID) FROM HFJ_RESOURCE t0 WHERE (t0.RES_TYPE = ?)",
				// literals and comments: not HAPI's, not read
				"SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0 WHERE (t0.RES_TYPE = 'Slot')",
				"SELECT COUNT(DISTINCT t0.RES_ID) FROM HFJ_RESOURCE t0 WHERE (t0.RES_TYPE = ?) -- x",
				// a tag and a date (a day's public slots): joined, measured no faster rewritten
				TAG_AND_DATE,
				// not a count
				"SELECT t0.RES_ID FROM HFJ_RESOURCE t0 WHERE ((t0.RES_TYPE = ?) AND (t0.RES_DELETED_AT IS NULL)) fetch first ? rows only",
				"select rt1_0.RES_ID from HFJ_RESOURCE rt1_0 where rt1_0.RES_ID=?",
		};
		for (String sql : unchanged) {
			assertThat(rewrites.inspect(sql)).as(sql).isSameAs(sql);
		}
	}
}
