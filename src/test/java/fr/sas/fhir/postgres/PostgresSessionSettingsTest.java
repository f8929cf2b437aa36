package fr.sas.fhir.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.sas.fhir.support.PostgresServerTest;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Every connection of the server's pool carries the planner settings of {@code sas.postgres.session-settings}. */
class PostgresSessionSettingsTest extends PostgresServerTest {

	@Autowired
	DataSource dataSource;

	@Test
	void theServersConnectionsCarryTheDefaultSettings() {
		JdbcTemplate sql = new JdbcTemplate(dataSource);
		// the database's own defaults are 4MB, 4 and auto: these come from the server
		for (int i = 0; i < 3; i++) { // several connections of the pool, each set when opened
			assertThat(sql.queryForObject("SHOW work_mem", String.class)).isEqualTo("32MB");
			assertThat(sql.queryForObject("SHOW random_page_cost", String.class)).isEqualTo("1.1");
			assertThat(sql.queryForObject("SHOW plan_cache_mode", String.class)).isEqualTo("force_custom_plan");
		}
		assertThat(new JdbcTemplate(dataSource).queryForObject(
				"SELECT setting FROM pg_settings WHERE name = 'work_mem' AND source = 'session'", String.class))
				.as("set for the session, not by the database").isEqualTo("32768");
	}

	/**
	 * What the JDBC driver does from a statement's fifth use on a connection (a statement prepared on the server):
	 * PostgreSQL would plan it once for any parameters after five executions; each one is planned for its own.
	 */
	@Test
	void aStatementPreparedOnTheServerIsPlannedForItsParametersEveryTime() {
		List<String> plans = new JdbcTemplate(dataSource).execute((java.sql.Connection c) -> {
			try (java.sql.Statement s = c.createStatement()) {
				// a key lookup: PostgreSQL's default (plan_cache_mode auto) switches it to the generic plan at the sixth
				s.execute("PREPARE sas_plan_test(bigint) AS SELECT res_type FROM hfj_resource WHERE res_id = $1");
				try {
					for (int i = 0; i < 7; i++) {
						s.execute("EXECUTE sas_plan_test(1)");
					}
					List<String> lines = new java.util.ArrayList<>();
					try (java.sql.ResultSet plan = s.executeQuery("EXPLAIN EXECUTE sas_plan_test(1)")) {
						while (plan.next()) {
							lines.add(plan.getString(1));
						}
					}
					return lines;
				} finally {
					s.execute("DEALLOCATE sas_plan_test");
				}
			}
		});
		assertThat(String.join("\n", plans)).as("a custom plan names the value, a generic one $1")
				.contains("'1'::bigint").doesNotContain("$1");
	}

	@Test
	void settingsAreParsedAndQuotedNotSpliced() {
		assertThat(SessionSettings.parse("")).isEmpty();
		assertThat(SessionSettings.parse(" Work_Mem = 64MB , random_page_cost=1.1"))
				.containsExactly(Map.entry("work_mem", "64MB"), Map.entry("random_page_cost", "1.1"));
		assertThat(SessionSettings.sql(SessionSettings.parse("work_mem=1'; DROP TABLE x; --")))
				.isEqualTo("SELECT set_config('work_mem', '1''; DROP TABLE x; --', false)");
		assertThatThrownBy(() -> SessionSettings.parse("work_mem")).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("name=value");
		assertThatThrownBy(() -> SessionSettings.parse("work mem; x=1")).isInstanceOf(IllegalArgumentException.class);
	}
}
