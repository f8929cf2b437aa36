package fr.sas.fhir.aggregator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import fr.sas.fhir.common.ProfileCheck;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.SlotSource;
import fr.sas.fhir.common.StoreGuideSearch;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.PublisherRegistry;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The aggregator (the platform's pull). Its table of learnt routes is always part of the schema, so that nodes
 * with and without the aggregator share one; the pull itself only with {@code sas.aggregator.enabled=true}.
 */
@Configuration
@EnableConfigurationProperties(AggregatorProperties.class)
public class AggregatorConfig {

	@Bean
	public static PersistenceUnitPostProcessor publisherRouteEntity() {
		return unit -> unit.addManagedClassName(PublisherRoute.class.getName());
	}

	@Configuration
	@ConditionalOnProperty(prefix = "sas.aggregator", name = "enabled", havingValue = "true")
	static class Enabled {

		@Bean
		AnswerCheck answerCheck(FhirContext fhirContext, ProfileCheck profiles, SasProperties sas) {
			return new AnswerCheck(fhirContext, profiles, sas.getRules().getCptsWindow());
		}

		@Bean
		LearnedRoutes learnedRoutes(AggregatorProperties properties, Clock clock, PlatformTransactionManager transactions) {
			return new LearnedRoutes(properties.getRouting(), clock, transactions);
		}

		@Bean
		FanOut fanOut(PublisherRegistry registry, PublisherClient client, AnswerCheck check, LearnedRoutes routes,
				AggregatorProperties properties, SasProperties sas, Clock clock) {
			return new FanOut(registry, client, check, routes, properties, sas.getRules().getCptsWindow(), clock,
					java.time.ZoneId.of(properties.getZone()));
		}

		@Bean
		AggregatedGuideSearch aggregatedGuideSearch(FanOut fanOut, StoreGuideSearch store, AggregatorProperties properties,
				SasProperties sas, IInterceptorBroadcaster storageInterceptors, Clock clock) {
			return new AggregatedGuideSearch(fanOut, store, properties, sas, storageInterceptors, clock);
		}

		/** The contextual search's slots: the store's, the publishers', or both. */
		@Bean
		@Primary
		SlotSource aggregatedSlotSource(@Qualifier("storeSlotSource") SlotSource store, FanOut fanOut,
				AggregatorProperties properties) {
			return new AggregatedSlotSource(store, fanOut, properties);
		}
	}
}
