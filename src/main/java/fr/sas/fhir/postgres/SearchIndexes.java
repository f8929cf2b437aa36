package fr.sas.fhir.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * The server's own indexes on HAPI's tables, for searches HAPI's indexes serve badly on PostgreSQL (docs/search.md,
 * "The analyst's searches"). HAPI's search roots a tag or {@code _lastUpdated} search on {@code HFJ_RESOURCE} with
 * {@code RES_TYPE = ? AND RES_DELETED_AT IS NULL}: joined to a tag and a date range, PostgreSQL probes the primary key
 * and reads each matching row from the table to check those two columns (a heap fetch per match). A partial index of
 * the live resources' id and type answers the probe from the index alone.
 * <p>
 * Created at start when missing, {@code CONCURRENTLY} (writes go on while it is built; a few seconds for 2 million
 * resources), by every node ({@code IF NOT EXISTS}: a node starting later finds it); one left invalid by a failed
 * build is dropped and built again.
 */
class SearchIndexes implements SmartInitializingSingleton {

	private static final Logger LOG = LoggerFactory.getLogger(SearchIndexes.class);

	/** Name and definition of each index (PostgreSQL folds the name to lower case). */
	record Definition(String name, String ddl) {}

	static final List<Definition> INDEXES = List.of(new Definition("idx_sas_res_live_type",
			"CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_sas_res_live_type ON hfj_resource (res_id, res_type)"
					+ " WHERE res_deleted_at IS NULL"));

	private final DataSource dataSource;

	SearchIndexes(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	@Override
	public void afterSingletonsInstantiated() {
		ensure();
	}

	/** Builds each index missing or invalid; returns the names built. */
	List<String> ensure() {
		List<String> built = new ArrayList<>();
		for (Definition index : INDEXES) {
			try (Connection c = dataSource.getConnection()) {
				boolean autoCommit = c.getAutoCommit();
				c.setAutoCommit(true); // CREATE INDEX CONCURRENTLY runs outside a transaction
				try (Statement s = c.createStatement()) {
					Boolean valid = validity(c, index.name());
					if (Boolean.TRUE.equals(valid)) {
						continue;
					}
					if (valid != null) {
						s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index.name());
					}
					long started = System.nanoTime();
					s.execute(index.ddl());
					LOG.info("PostgreSQL: index {} built in {} ms", index.name(), (System.nanoTime() - started) / 1_000_000);
					built.add(index.name());
				} finally {
					c.setAutoCommit(autoCommit);
				}
			} catch (SQLException | RuntimeException e) {
				LOG.warn("PostgreSQL: index {} not built ({}): the searches it serves stay slower", index.name(), e.toString());
			}
		}
		return built;
	}

	/** Null when the index does not exist in the current schema; else whether it is valid (a build finished). */
	static Boolean validity(Connection c, String name) throws SQLException {
		try (PreparedStatement q = c.prepareStatement("SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
				+ " JOIN pg_namespace n ON n.oid = x.relnamespace WHERE x.relname = ? AND n.nspname = current_schema()")) {
			q.setString(1, name);
			try (ResultSet r = q.executeQuery()) {
				return r.next() ? r.getBoolean(1) : null;
			}
		}
	}
}
