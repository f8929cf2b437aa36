package fr.sas.fhir.publishers;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import fr.sas.fhir.common.ChangeCounters;
import fr.sas.fhir.common.JobLeases;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The publishers' registry and the client that calls them: always there (administrators write the registry);
 * the aggregator, the monitoring and the acceptance use them when they are on.
 */
@Configuration
@EnableConfigurationProperties(PublishersProperties.class)
public class PublishersConfig {

	@Bean
	public ClientCertificates clientCertificates(PublishersProperties properties) {
		return new ClientCertificates(properties);
	}

	@Bean
	public EndpointRules endpointRules(FhirContext fhirContext, PublishersProperties properties, ClientCertificates certificates) {
		return new EndpointRules(fhirContext, properties, certificates);
	}

	/** Storage-wide, so that an Endpoint written in a transaction or deleted is seen too. */
	@Bean
	public PublisherRegistry publisherRegistry(DaoRegistry daos, ChangeCounters counters, PublishersProperties properties,
			Clock clock, IInterceptorService storageInterceptors) {
		PublisherRegistry registry = new PublisherRegistry(daos, counters, properties, clock);
		storageInterceptors.registerInterceptor(registry);
		return registry;
	}

	@Bean
	public PublisherClient publisherClient(PublishersProperties properties, ClientCertificates certificates, Clock clock,
			ObjectProvider<PublisherCallListener> listeners, JobLeases leases) {
		return new PublisherClient(properties, certificates, clock, listeners, leases.node());
	}
}
