package fr.sas.fhir.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** A table much changed since its statistics is analyzed and vacuumed by the server; a table barely changed is not. */
class StatisticsKeeperTest {

	private PGSimpleDataSource dataSource;

	@BeforeEach
	void schema() throws Exception {
		PGSimpleDataSource admin = new PGSimpleDataSource();
		admin.setUrl(PostgresTestDatabase.url());
		admin.setUser(PostgresTestDatabase.user());
		admin.setPassword(PostgresTestDatabase.password());
		try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
			s.execute("DROP SCHEMA IF EXISTS statistics_test CASCADE");
			s.execute("CREATE SCHEMA statistics_test");
		}
		dataSource = new PGSimpleDataSource();
		dataSource.setUrl(PostgresTestDatabase.url());
		dataSource.setUser(PostgresTestDatabase.user());
		dataSource.setPassword(PostgresTestDatabase.password());
		dataSource.setCurrentSchema("statistics_test");
	}

	@Test
	void aTableLoadedSinceItsStatisticsOrItsLastVacuumIsVacuumedAndAnalyzedAndASmallChangeIsLeftAlone() throws Exception {
		try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
			s.execute("CREATE TABLE loaded (id int PRIMARY KEY, body text)");
			s.execute("CREATE TABLE barely (id int PRIMARY KEY)");
			s.execute("INSERT INTO loaded SELECT g, 'row ' || g FROM generate_series(1, 20000) g");
			s.execute("INSERT INTO barely SELECT g FROM generate_series(1, 10) g");
			// analyzed after its load, never vacuumed: no visibility map yet
			s.execute("CREATE TABLE analyzed_only (id int PRIMARY KEY)");
			s.execute("INSERT INTO analyzed_only SELECT g FROM generate_series(1, 20000) g");
			s.execute("ANALYZE analyzed_only");
			// PostgreSQL 15 publishes a session's counters when it goes idle, at most once a second: now, for the test
			s.execute("SELECT pg_stat_force_next_flush()");
		}
		awaitCounters("loaded", 20000);
		awaitCounters("analyzed_only", 0);

		StatisticsProperties properties = new StatisticsProperties();
		properties.setMinChangedRows(1000);
		StatisticsKeeper keeper = new StatisticsKeeper(new TableStatistics(dataSource), properties, null, Clock.systemUTC());
		List<String> refreshed = keeper.refreshStale();

		assertThat(refreshed).containsExactly("analyzed_only", "loaded");
		try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
				ResultSet rows = s.executeQuery("SELECT c.reltuples, c.relallvisible FROM pg_class c"
						+ " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'statistics_test'"
						+ " AND c.relname IN ('loaded', 'analyzed_only') ORDER BY c.relname")) {
			for (String table : List.of("analyzed_only", "loaded")) {
				rows.next();
				assertThat(rows.getFloat(1)).as(table + ": the planner's row estimate").isEqualTo(20000f);
				assertThat(rows.getInt(2)).as(table + ": pages marked all-visible (index-only scans)").isPositive();
			}
		}
		assertThat(keeper.health().getDetails().get("autovacuum")).as("the setting as the last check read it")
				.isEqualTo(new TableStatistics(dataSource).autovacuum());
		assertThat((String) keeper.health().getDetails().get("lastRefresh")).contains("loaded");
	}

	/** Waits (bounded) until PostgreSQL's counters show {@code table} with at least {@code rows} changed since its ANALYZE. */
	private void awaitCounters(String table, long rows) throws SQLException, InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (true) {
			List<TableStatistics.Table> tables = new TableStatistics(dataSource).tables();
			if (tables.stream().anyMatch(t -> t.name().equals(table) && t.changedSinceAnalyze() >= rows && t.insertedSinceVacuum() > 0)) {
				return;
			}
			assertThat(System.nanoTime()).as("PostgreSQL's counters of " + table + " within 10 s: " + tables).isLessThan(deadline);
			Thread.sleep(100);
		}
	}
}
