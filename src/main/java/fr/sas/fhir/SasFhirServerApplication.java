package fr.sas.fhir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * SAS FHIR server: a HAPI FHIR JPA R4 server customised for the ANS guide "Service d'Accès aux Soins".
 * HAPI builds its own entity manager factory (see {@code config.JpaPersistenceConfig}), so Spring Boot's is off.
 */
@SpringBootApplication(
		exclude = {
			HibernateJpaAutoConfiguration.class,
			ElasticsearchRestClientAutoConfiguration.class,
			ElasticsearchClientAutoConfiguration.class,
			// Flyway comes in with HAPI's migration module; HAPI's schema is managed by Hibernate (see README).
			FlywayAutoConfiguration.class,
			// HAPI runs its own Quartz schedulers and declares its own Spring Data repositories.
			QuartzAutoConfiguration.class,
			JpaRepositoriesAutoConfiguration.class,
			ThymeleafAutoConfiguration.class,
			// Callers are clients and tokens (security.SecurityConfig): no generated user and password.
			UserDetailsServiceAutoConfiguration.class
		})
@ConfigurationPropertiesScan
public class SasFhirServerApplication {

	public static void main(String[] args) {
		// `acceptance ...`: the connected acceptance of a publisher's endpoint, without web server (docs/acceptance.md).
		if (args.length > 0 && fr.sas.fhir.acceptance.AcceptanceCommand.NAME.equals(args[0])) {
			System.exit(fr.sas.fhir.acceptance.AcceptanceCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length),
					System.out, System.err));
		}
		SpringApplication.run(SasFhirServerApplication.class, args);
	}
}
