package fr.sas.fhir.config;

import fr.sas.fhir.common.SasProperties;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.rest.api.SearchTotalModeEnum;
import jakarta.persistence.EntityManagerFactory;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;

/** HAPI's persistence unit on the Spring Boot data source, and the storage settings the SAS guide needs. */
@Configuration
public class JpaPersistenceConfig {

	@Bean
	public JpaStorageSettings jpaStorageSettings(SasProperties properties) {
		JpaStorageSettings settings = new JpaStorageSettings();
		// Publishers PUT their own ids, purely numeric ones included (Location/1111111111 in the guide);
		// server-assigned ids are then UUIDs so the two can never collide.
		settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ANY);
		// read by HAPI's index layout on Elasticsearch: every index name starts with it
		settings.setHSearchIndexPrefix(properties.getIndex().getElasticsearch().getIndexPrefix());
		settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.UUID);
		// The guide requires Bundle.total in every search answer.
		settings.setDefaultTotalMode(SearchTotalModeEnum.ACCURATE);
		settings.setFetchSizeDefaultMaximum(properties.getFhir().getMaxPageSize());
		// Availability changes by the second (a booked slot is gone at once): never answer from an earlier search.
		settings.setReuseCachedSearchResultsForMillis(null);
		// Re-sending an unchanged resource (loader at start-up, publisher retries) creates no new version.
		settings.setSuppressUpdatesWithNoChange(true);
		settings.setDefaultSearchParamsCanBeOverridden(true);
		settings.setMarkResourcesForReindexingUponSearchParameterChange(true);
		settings.setAllowMultipleDelete(false);
		settings.setExpungeEnabled(true);
		return settings;
	}

	@Bean
	public PartitionSettings partitionSettings() {
		return new PartitionSettings();
	}

	@Bean
	public SubscriptionSettings subscriptionSettings() {
		return new SubscriptionSettings();
	}

	@Primary
	@Bean(name = {"entityManagerFactory", "myEntityManagerFactory"})
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext,
			JpaStorageSettings storageSettings,
			DataSource dataSource,
			DataSourceProperties dataSourceProperties,
			SasProperties properties,
			ObjectProvider<PersistenceUnitPostProcessor> unitPostProcessors) {
		LocalContainerEntityManagerFactoryBean factory =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		factory.setPersistenceUnitName("HAPI_PU");
		factory.setDataSource(dataSource);
		factory.setJpaPropertyMap(HibernateSettings.build(properties, dataSourceProperties.determineUrl()));
		// Entities of the feature packages (the contextual search's cards) join HAPI's persistence unit.
		factory.setPersistenceUnitPostProcessors(unitPostProcessors.orderedStream().toArray(PersistenceUnitPostProcessor[]::new));
		return factory;
	}

	@Primary
	@Bean
	public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}
}
