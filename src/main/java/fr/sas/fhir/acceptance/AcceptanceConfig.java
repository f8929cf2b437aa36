package fr.sas.fhir.acceptance;

import ca.uhn.fhir.context.FhirContext;
import fr.sas.fhir.common.ProfileCheck;
import fr.sas.fhir.publishers.PublisherClient;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The connected acceptance. The engine is always there (it holds no thread nor connection: the command line uses it
 * in a context whose web server is not started); the {@code $acceptance} operation only with {@code sas.acceptance.enabled=true}.
 */
@Configuration
@EnableConfigurationProperties(AcceptanceProperties.class)
public class AcceptanceConfig {

	@Bean
	public AcceptanceEngine acceptanceEngine(FhirContext fhirContext, ProfileCheck profiles, PublisherClient client, Clock clock,
			AcceptanceProperties properties, fr.sas.fhir.publishers.PublishersProperties publishers,
			fr.sas.fhir.publishers.ClientCertificates certificates) {
		return new AcceptanceEngine(fhirContext, profiles, client, clock, properties,
				new TransportProbes(publishers, certificates, properties, clock),
				new RawBarSearches(certificates, publishers, properties, fhirContext, clock));
	}

	/** The runs' table is part of the schema with the operation on or off, so that every node shares one schema. */
	@Bean
	public static org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor acceptanceRunEntity() {
		return unit -> unit.addManagedClassName(AcceptanceRun.class.getName());
	}

	@Configuration
	@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "sas.acceptance", name = "enabled", havingValue = "true")
	static class Enabled {

		@Bean
		AcceptanceRuns acceptanceRuns(AcceptanceEngine engine, Clock clock,
				org.springframework.transaction.PlatformTransactionManager transactions) {
			return new AcceptanceRuns(engine, clock, transactions);
		}

		@Bean
		AcceptanceProvider acceptanceProvider(fr.sas.fhir.publishers.PublisherRegistry registry, AcceptanceRuns runs,
				FhirContext fhirContext) {
			return new AcceptanceProvider(registry, runs, fhirContext);
		}
	}
}
