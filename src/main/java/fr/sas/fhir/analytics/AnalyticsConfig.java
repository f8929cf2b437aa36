package fr.sas.fhir.analytics;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import fr.sas.fhir.common.JobLeases;
import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import java.time.Clock;
import java.time.ZoneId;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;
import org.springframework.transaction.PlatformTransactionManager;

/** The programme's indicators (docs/analytics.md): on unless {@code sas.analytics.enabled=false}. */
@Configuration
@ConditionalOnProperty(prefix = "sas.analytics", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(AnalyticsProperties.class)
public class AnalyticsConfig {

	/** The fact tables join HAPI's persistence unit: a resource and its fact commit together. */
	@Bean
	public static PersistenceUnitPostProcessor analyticsFactTables() {
		return unit -> {
			unit.addManagedClassName(FactTables.Slot.class.getName());
			unit.addManagedClassName(FactTables.SlotDay.class.getName());
			unit.addManagedClassName(FactTables.ClosedDay.class.getName());
			unit.addManagedClassName(FactTables.SlotChange.class.getName());
			unit.addManagedClassName(FactTables.SlotSum.class.getName());
			unit.addManagedClassName(FactTables.SlotActor.class.getName());
			unit.addManagedClassName(FactTables.SlotPair.class.getName());
			unit.addManagedClassName(FactTables.FoldedMonth.class.getName());
			unit.addManagedClassName(FactTables.Appointment.class.getName());
			unit.addManagedClassName(FactTables.Account.class.getName());
			unit.addManagedClassName(FactTables.CallDay.class.getName());
			unit.addManagedClassName(FactTables.ClosedCallDay.class.getName());
			unit.addManagedClassName(FactTables.Backfill.class.getName());
		};
	}

	/**
	 * FHIR Bulk Data {@code $export} (system level) is HAPI's own: its provider's system operations on the FHIR
	 * endpoint ({@link SystemExportProvider}), its batch job writing NDJSON files as Binary resources, which HAPI deletes
	 * once {@code sas.analytics.export-retention} has passed. Who may export is the role matrix's.
	 */
	@Bean
	@ConditionalOnProperty(prefix = "sas.analytics", name = "bulk-export", matchIfMissing = true)
	SystemExportProvider systemExportProvider(BulkDataExportProvider provider, JpaStorageSettings storage,
			AnalyticsProperties properties) {
		storage.setEnableTaskBulkExportJobExecution(true);
		storage.setBulkExportFileRetentionPeriodHours((int) Math.max(1, properties.getExportRetention().toHours()));
		return new SystemExportProvider(provider);
	}

	@Bean
	DashboardPage dashboardPage() {
		return new DashboardPage();
	}

	@Bean
	Calendar analyticsCalendar(AnalyticsProperties properties) {
		return new Calendar(ZoneId.of(properties.getZone()));
	}

	@Bean
	SlotFacts slotFacts(IInterceptorService storageInterceptors, DaoRegistry daos, Clock clock, Calendar analyticsCalendar) {
		return new SlotFacts(storageInterceptors, daos, clock, analyticsCalendar);
	}

	@Bean
	FactsBackfill factsBackfill(SlotFacts slotFacts, SearchBuilderFactory<JpaPid> searchBuilders, Clock clock,
			Calendar analyticsCalendar, AnalyticsProperties properties, PlatformTransactionManager transactions) {
		return new FactsBackfill(slotFacts, searchBuilders, clock, analyticsCalendar, properties, transactions);
	}

	@Bean
	DayClosing dayClosing(JobLeases leases, Clock clock, Calendar analyticsCalendar, AnalyticsProperties properties,
			PlatformTransactionManager transactions, FactsBackfill factsBackfill) {
		return new DayClosing(leases, clock, analyticsCalendar, properties, transactions, factsBackfill);
	}

	@Bean
	SlotSummaries slotSummaries(JobLeases leases, AnalyticsProperties properties, PlatformTransactionManager transactions) {
		return new SlotSummaries(leases, properties, transactions);
	}

	@Bean
	MeasureQueries measureQueries(PlatformTransactionManager transactions) {
		return new MeasureQueries(transactions);
	}

	@Bean
	EvaluateMeasureProvider evaluateMeasureProvider(DaoRegistry daos, MeasureQueries measureQueries, Clock clock,
			AnalyticsProperties properties) {
		return new EvaluateMeasureProvider(daos, measureQueries, clock, properties);
	}
}
