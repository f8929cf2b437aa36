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
 * in a context without web server); the {@code $acceptance} operation only with {@code sas.acceptance.enabled=true}.
 */
@Configuration
@EnableConfigurationProperties(AcceptanceProperties.class)
public class AcceptanceConfig {

	@Bean
	public AcceptanceEngine acceptanceEngine(FhirContext fhirContext, ProfileCheck profiles, PublisherClient client, Clock clock,
			AcceptanceProperties properties) {
		return new AcceptanceEngine(fhirContext, profiles, client, clock, properties);
	}
}
