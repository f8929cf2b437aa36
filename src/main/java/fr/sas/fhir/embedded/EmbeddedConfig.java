package fr.sas.fhir.embedded;

import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded default's upkeep: its H2 file compacted by the server itself (docs/operations.md). Only when the
 * data source is an H2 file ({@code spring.datasource.url} {@code jdbc:h2:file:...}).
 */
@Configuration
@EnableConfigurationProperties(CompactionProperties.class)
@ConditionalOnProperty(prefix = "sas.compaction", name = "enabled", matchIfMissing = true)
@ConditionalOnExpression("T(fr.sas.fhir.embedded.EmbeddedConfig).isH2File('${spring.datasource.url:}')")
public class EmbeddedConfig {

	/** True when the data source is an H2 database in a file (not in memory, not a server, not another engine). */
	public static boolean isH2File(String jdbcUrl) {
		return jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:h2:mem:")
				&& !jdbcUrl.startsWith("jdbc:h2:tcp:") && !jdbcUrl.startsWith("jdbc:h2:ssl:");
	}

	/** Named {@code h2File}: its state shows in {@code /actuator/health} under that name. */
	@Bean
	H2FileCompaction h2File(DataSource dataSource, CompactionProperties properties) {
		return new H2FileCompaction(new H2File(dataSource), properties);
	}
}
