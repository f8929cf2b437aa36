package fr.sas.fhir.config;

import fr.sas.fhir.common.ChangeCounter;
import fr.sas.fhir.common.ChangeCounters;
import fr.sas.fhir.common.JobLease;
import fr.sas.fhir.common.JobLeases;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * What lets several nodes share one database as one server: the jobs' leases (a scheduled job runs on one node
 * at a time) and the change counters (what a node keeps in memory is dropped when another node's write commits).
 * Both are plain tables, so one node on H2 works the same way.
 */
@Configuration
public class NodesConfig {

	@Bean
	public static PersistenceUnitPostProcessor sharedStateEntities() {
		return unit -> {
			unit.addManagedClassName(JobLease.class.getName());
			unit.addManagedClassName(ChangeCounter.class.getName());
		};
	}

	@Bean
	public JobLeases jobLeases(Clock clock, PlatformTransactionManager transactions) {
		return new JobLeases(clock, transactions);
	}

	@Bean
	public ChangeCounters changeCounters(PlatformTransactionManager transactions) {
		return new ChangeCounters(transactions);
	}
}
