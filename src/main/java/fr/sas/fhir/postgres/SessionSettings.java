package fr.sas.fhir.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * PostgreSQL settings every connection of the server's pool gets when it is opened ({@code sas.postgres.session-settings},
 * Hikari's connection init SQL), so that the planner settings HAPI's searches need at national scale do not depend on
 * the database's configuration (docs/search.md, "1.89 M slots again"). With the defaults: {@code plan_cache_mode}
 * {@code force_custom_plan}, because the JDBC driver prepares a statement on the server from its fifth use on a
 * connection and PostgreSQL then plans it once for any parameters: for HAPI's searches, whose selectivity is all in
 * the parameters (a tag, a date range), that generic plan was 6 to 10 times slower; {@code work_mem} large enough for
 * the hash of a tag's 700,000 rows to stay in memory; {@code random_page_cost} of data that is cached or on SSD, so
 * that a date range is read from its index rather than by a scan of the whole table.
 */
class SessionSettings implements BeanPostProcessor {

	private static final Logger LOG = LoggerFactory.getLogger(SessionSettings.class);
	private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.]*");

	private final Map<String, String> settings;

	SessionSettings(String settings) {
		this.settings = parse(settings);
	}

	/** {@code name=value,name=value}; empty: none. */
	static Map<String, String> parse(String text) {
		Map<String, String> parsed = new LinkedHashMap<>();
		if (text == null || text.isBlank()) {
			return parsed;
		}
		for (String item : text.split(",")) {
			int eq = item.indexOf('=');
			String name = eq < 0 ? item.trim() : item.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
			if (eq < 0 || !NAME.matcher(name).matches()) {
				throw new IllegalArgumentException("sas.postgres.session-settings: '" + item.trim()
						+ "' is not name=value (a PostgreSQL setting's name)");
			}
			parsed.put(name, item.substring(eq + 1).trim());
		}
		return parsed;
	}

	/** One statement setting them all for the session ({@code set_config}: values quoted, never spliced as SQL). */
	static String sql(Map<String, String> settings) {
		return settings.entrySet().stream()
				.map(e -> "set_config(" + literal(e.getKey()) + ", " + literal(e.getValue()) + ", false)")
				.collect(Collectors.joining(", ", "SELECT ", ""));
	}

	private static String literal(String value) {
		return "'" + value.replace("'", "''") + "'";
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof HikariDataSource pool && !settings.isEmpty()) {
			String ours = sql(settings);
			String theirs = pool.getConnectionInitSql();
			// spring.datasource.hikari.connection-init-sql, if set, runs after ours and may override it
			pool.setConnectionInitSql(theirs == null || theirs.isBlank() ? ours : ours + "; " + theirs);
			LOG.info("PostgreSQL: each connection of the pool sets {}", settings);
		}
		return bean;
	}
}
