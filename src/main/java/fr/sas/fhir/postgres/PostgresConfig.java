package fr.sas.fhir.postgres;

import fr.sas.fhir.common.JobLeases;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;

/**
 * The PostgreSQL deployment's upkeep: the planner statistics of the server's tables kept current by the server, and
 * the server's own indexes on HAPI's tables, the planner settings of its connections (docs/search.md). Only when the data source is PostgreSQL
 * ({@code spring.datasource.url} {@code jdbc:postgresql:...}).
 */
@Configuration
@EnableConfigurationProperties(StatisticsProperties.class)
@ConditionalOnExpression("'${spring.datasource.url:}'.startsWith('jdbc:postgresql:')")
public class PostgresConfig {

	/** Named {@code postgresStatistics}: its state shows in {@code /actuator/health} under that name. */
	@Bean
	@ConditionalOnProperty(prefix = "sas.postgres.statistics", name = "enabled", matchIfMissing = true)
	StatisticsKeeper postgresStatistics(DataSource dataSource, StatisticsProperties properties, JobLeases leases, Clock clock) {
		StatisticsKeeper keeper = new StatisticsKeeper(new TableStatistics(dataSource), properties, leases, clock);
		keeper.reportAutovacuum();
		return keeper;
	}

	/**
	 * Static: a post-processor of the data source, made before the other beans. Default in application.yaml
	 * ({@code sas.postgres.session-settings}); empty leaves the database's own settings.
	 */
	@Bean
	static SessionSettings postgresSessionSettings(
			@Value("${sas.postgres.session-settings:}") String settings) {
		return new SessionSettings(settings);
	}

	/**
	 * HAPI's count of resources alone sent as {@code COUNT(*)} ({@link CountRewrites}): Hibernate's statement
	 * inspector of HAPI's persistence unit, which has none on PostgreSQL otherwise (the H2 one is H2's only).
	 * Static, as the other contributions to the persistence unit.
	 */
	@Bean
	@ConditionalOnProperty(prefix = "sas.postgres", name = "count-rewrites", matchIfMissing = true)
	static PersistenceUnitPostProcessor postgresCountRewrites() {
		return unit -> unit.getProperties().put("hibernate.session_factory.statement_inspector", CountRewrites.class.getName());
	}

	@Bean
	@ConditionalOnProperty(prefix = "sas.postgres", name = "search-indexes", matchIfMissing = true)
	SearchIndexes postgresSearchIndexes(DataSource dataSource) {
		return new SearchIndexes(dataSource);
	}
}
