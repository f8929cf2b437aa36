package fr.sas.fhir.monitoring;

import fr.sas.fhir.common.JobLeases;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.PublisherRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.javamail.JavaMailSender;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The interfaces' monitoring ({@code sas.monitoring.enabled=true}): the publishers' calls and the server's own
 * requests as meters, the per-minute figures, the anomaly rules and their alerts, the notices. The tables are always
 * declared (the schema does not depend on a setting).
 */
@Configuration
@EnableConfigurationProperties(MonitoringProperties.class)
public class MonitoringConfig {

	@Bean
	public static PersistenceUnitPostProcessor monitoringEntities() {
		return unit -> {
			unit.addManagedClassName(CallMinute.class.getName());
			unit.addManagedClassName(WriteHour.class.getName());
			unit.addManagedClassName(RefusedWriteHour.class.getName());
			unit.addManagedClassName(AlertRecord.class.getName());
			unit.addManagedClassName(Notice.class.getName());
		};
	}

	/** Alerts stored before their severity was: filled from their rule, whether the monitoring is on or not. */
	@Bean
	AlertSeverities monitoringAlertSeverities(JdbcTemplate jdbc) {
		return new AlertSeverities(jdbc);
	}

	@Configuration
	@ConditionalOnProperty(prefix = "sas.monitoring", name = "enabled", havingValue = "true")
	static class Enabled {

		@Bean
		CallWindow monitoringCallWindow(Clock clock, JobLeases leases, PlatformTransactionManager transactions) {
			return new CallWindow(clock, leases.node(), transactions);
		}

		@Bean
		PushedWrites monitoringPushedWrites(Clock clock, JobLeases leases, MeterRegistry meters,
				PlatformTransactionManager transactions) {
			return new PushedWrites(clock, leases.node(), meters, transactions);
		}

		@Bean
		RefusedWrites monitoringRefusedWrites(Clock clock, JobLeases leases, MeterRegistry meters,
				PlatformTransactionManager transactions) {
			return new RefusedWrites(clock, leases.node(), meters, transactions);
		}

		@Bean
		PublisherMeters publisherMeters(MeterRegistry meters, CallWindow window, PublisherClient client, Clock clock) {
			return new PublisherMeters(meters, window, client, clock);
		}

		@Bean
		ServerMeters serverMeters(MeterRegistry meters) {
			return new ServerMeters(meters);
		}

		@Bean
		Alerts monitoringAlerts(DaoRegistry daos, MonitoringProperties properties, Clock clock, ObjectMapper json,
				PlatformTransactionManager transactions) {
			return new Alerts(daos, properties, clock, json, transactions);
		}

		@Bean
		RuleEvaluation monitoringRuleEvaluation(CallWindow window, PushedWrites writes, RefusedWrites refusals, Alerts alerts,
				PublisherRegistry registry, JobLeases leases, MonitoringProperties properties, Clock clock, DaoRegistry daos) {
			return new RuleEvaluation(window, writes, refusals, alerts, registry, leases, properties, clock, daos);
		}

		@Bean
		NoticeRelay monitoringNoticeRelay(MonitoringProperties properties, Clock clock, JobLeases leases,
				ObjectProvider<JavaMailSender> mail, PlatformTransactionManager transactions) {
			return new NoticeRelay(properties, clock, leases, mail, transactions);
		}

		@Bean
		MonitoringJobs monitoringJobs(CallWindow window, PushedWrites writes, RefusedWrites refusals, RuleEvaluation evaluation,
				NoticeRelay relay, MonitoringProperties properties) {
			return new MonitoringJobs(window, writes, refusals, evaluation, relay, properties);
		}

		@Bean
		MonitoringOperations monitoringOperations(PublisherRegistry registry, PublisherClient client, CallWindow window,
				PushedWrites writes, RefusedWrites refusals, Alerts alerts, DaoRegistry daos, Clock clock) {
			return new MonitoringOperations(registry, client, window, new WriteFigures.Reader(writes, refusals), alerts, daos, clock);
		}

		@Bean
		OutboxGauges lrmOutboxGauges(JdbcTemplate jdbc, MeterRegistry meters) {
			return new OutboxGauges(jdbc, meters);
		}
	}
}
