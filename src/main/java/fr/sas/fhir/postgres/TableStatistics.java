package fr.sas.fhir.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The server's tables in PostgreSQL's counters ({@code pg_stat_user_tables}), and the ANALYZE or VACUUM of one.
 * HAPI's searches are joins of its index tables (HFJ_SPIDX_*, HFJ_RES_LINK, HFJ_RES_TAG) on the resource id: with
 * statistics of an empty table after a bulk load, PostgreSQL plans nested loops over what it believes is a dozen
 * rows (measured: 1.5 to 4 s per analyst search on 130,000 slots, 25 to 580 ms once analyzed), and without the
 * visibility map a VACUUM sets, its index-only scans read every row's page too.
 */
final class TableStatistics {

	/** A table's counters: its rows, those changed since its last ANALYZE, those inserted since its last VACUUM. */
	record Table(String name, long rows, long changedSinceAnalyze, long insertedSinceVacuum) {}

	private final DataSource dataSource;

	TableStatistics(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	List<Table> tables() throws SQLException {
		List<Table> tables = new ArrayList<>();
		try (Connection c = dataSource.getConnection();
				PreparedStatement query = c.prepareStatement("SELECT relname, n_live_tup, n_mod_since_analyze,"
						+ " n_ins_since_vacuum FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname");
				ResultSet rows = query.executeQuery()) {
			while (rows.next()) {
				tables.add(new Table(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4)));
			}
		}
		return tables;
	}

	/** Whether PostgreSQL's own autovacuum daemon is on (it does the same, on its own thresholds). */
	boolean autovacuum() throws SQLException {
		try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
				ResultSet on = s.executeQuery("SHOW autovacuum")) {
			return on.next() && "on".equals(on.getString(1));
		}
	}

	/** ANALYZE, or VACUUM (ANALYZE) when {@code vacuum}: outside any transaction, as VACUUM must be. */
	void refresh(String table, boolean vacuum) throws SQLException {
		try (Connection c = dataSource.getConnection()) {
			boolean autoCommit = c.getAutoCommit();
			c.setAutoCommit(true);
			try (Statement s = c.createStatement()) {
				String name = '"' + table.replace("\"", "\"\"") + '"';
				s.execute(vacuum ? "VACUUM (ANALYZE) " + name : "ANALYZE " + name);
			} finally {
				c.setAutoCommit(autoCommit);
			}
		}
	}
}
