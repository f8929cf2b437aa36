package fr.sas.fhir.config;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The one clock every time rule reads (48-hour CPTS window, past slots, retention), and the scheduled jobs, one node at a time. */
@Configuration
@EnableScheduling
public class ClockConfig {

	@Bean
	@ConditionalOnMissingBean
	public Clock clock() {
		return Clock.systemUTC();
	}

	/** The jobs' leases, so that on several nodes a scheduled job runs on one at a time. */
	@Bean
	public static org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor jobLeaseEntity() {
		return unit -> unit.addManagedClassName(fr.sas.fhir.common.JobLease.class.getName());
	}

	@Bean
	public fr.sas.fhir.common.JobLeases jobLeases(Clock clock, org.springframework.transaction.PlatformTransactionManager transactions) {
		return new fr.sas.fhir.common.JobLeases(clock, transactions);
	}
}
