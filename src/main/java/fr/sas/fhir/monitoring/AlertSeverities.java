package fr.sas.fhir.monitoring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Gives the alerts stored before {@code SAS_MONITORING_ALERT.SEVERITY} existed their rule's severity, once at start
 * (a few rows, idempotent: several nodes may run it), so that the table alone says each alert's severity.
 */
class AlertSeverities implements SmartInitializingSingleton {

	private static final Logger LOG = LoggerFactory.getLogger(AlertSeverities.class);

	private final JdbcTemplate jdbc;

	AlertSeverities(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public void afterSingletonsInstantiated() {
		int filled = 0;
		for (AlertRule rule : AlertRule.values()) {
			filled += jdbc.update("UPDATE SAS_MONITORING_ALERT SET SEVERITY = ? WHERE RULE_CODE = ? AND SEVERITY IS NULL",
					rule.severity().code(), rule.code());
		}
		if (filled > 0) {
			LOG.info("Monitoring: the severity of {} alerts stored before it was kept filled from their rules", filled);
		}
	}
}
