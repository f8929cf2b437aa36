package fr.sas.fhir.config;

import fr.sas.fhir.common.SasProperties;

import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import ca.uhn.fhir.jpa.search.HapiHSearchAnalysisConfigurers;
import ca.uhn.fhir.jpa.search.elastic.ElasticsearchHibernatePropertiesBuilder;
import org.hibernate.search.backend.elasticsearch.index.IndexStatus;
import org.hibernate.search.mapper.orm.schema.management.SchemaManagementStrategyName;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The Hibernate and Hibernate Search properties of HAPI's persistence unit, derived from our settings. */
final class HibernateSettings {

	private HibernateSettings() {}

	static Map<String, Object> build(SasProperties properties, String jdbcUrl) {
		Map<String, Object> map = new HashMap<>();
		map.put("hibernate.dialect", dialect(properties.getDatabase().getDialect(), jdbcUrl));
		map.put("hibernate.hbm2ddl.auto", properties.getDatabase().getSchemaAction());
		// Hibernate's default drops and re-creates every unique constraint whose index it cannot find by the
		// constraint's name — all of them on H2, which names the backing index otherwise: each start rebuilt those
		// indexes over the stored data. Create what is missing, leave what exists (an existing one fails, quietly).
		map.put("hibernate.schema_update.unique_constraint_strategy", "RECREATE_QUIETLY");
		map.put("hibernate.jdbc.batch_size", 30);
		map.put("hibernate.order_inserts", true);
		map.put("hibernate.order_updates", true);
		map.put("hibernate.format_sql", false);
		map.put("hibernate.show_sql", false);
		map.put("hibernate.cache.use_query_cache", false);
		map.put("hibernate.cache.use_second_level_cache", false);
		map.put("hibernate.cache.use_structured_entries", false);
		map.put("hibernate.cache.use_minimal_puts", false);
		if (HapiFhirH2Dialect.class.getName().equals(map.get("hibernate.dialect"))) {
			map.put("hibernate.session_factory.statement_inspector", H2ResourceIdLookups.class.getName());
		}

		boolean index = properties.getIndex().isEnabled();
		map.put("hibernate.search.enabled", index);
		if (index && isElasticsearch(properties)) {
			elasticsearch(properties.getIndex().getElasticsearch()).forEach((k, v) -> map.put((String) k, v));
		} else if (index) {
			map.put("hibernate.search.backend.type", "lucene");
			map.put(
					"hibernate.search.backend.analysis.configurer",
					HapiHSearchAnalysisConfigurers.HapiLuceneAnalysisConfigurer.class.getName());
			map.put("hibernate.search.backend.directory.type", "local-filesystem");
			map.put("hibernate.search.backend.directory.root", luceneDirectory(properties));
			map.put("hibernate.search.backend.lucene_version", "LUCENE_CURRENT");
		}
		return map;
	}

	static boolean isElasticsearch(SasProperties properties) {
		String backend = properties.getIndex().getBackend();
		if ("elasticsearch".equalsIgnoreCase(backend) || "opensearch".equalsIgnoreCase(backend)) {
			return true;
		}
		if (backend == null || backend.isBlank() || "lucene".equalsIgnoreCase(backend)) {
			return false;
		}
		throw new IllegalStateException("sas.index.backend: 'lucene' or 'elasticsearch', not '" + backend + "'");
	}

	/**
	 * HAPI's own Elasticsearch settings (its analysers, index settings, the index-name prefix of
	 * {@code JpaStorageSettings}), plus the engine's version when given. Index changes are written synchronously
	 * with the commit and refreshed before the request returns ({@code read-sync}): a search on any node right after
	 * a write sees it, as with the local Lucene directory.
	 */
	private static java.util.Properties elasticsearch(SasProperties.Elasticsearch engine) {
		java.util.Properties settings = new java.util.Properties();
		new ElasticsearchHibernatePropertiesBuilder()
				.setHosts(engine.getHosts())
				.setProtocol(engine.getProtocol())
				.setUsername(engine.getUsername().isBlank() ? null : engine.getUsername())
				.setPassword(engine.getPassword().isBlank() ? null : engine.getPassword())
				.setRequiredIndexStatus(IndexStatus.of(engine.getRequiredStatus()))
				.setIndexSchemaManagementStrategy(SchemaManagementStrategyName.CREATE_OR_UPDATE)
				.setDebugIndexSyncStrategy("read-sync")
				.apply(settings);
		if (!engine.getVersion().isBlank()) {
			settings.put("hibernate.search.backend.version", engine.getVersion());
			settings.put("hibernate.search.backend.version_check.enabled", "false");
		}
		return settings;
	}

	static String dialect(String configured, String jdbcUrl) {
		if (configured != null && !configured.isBlank()) {
			return configured;
		}
		if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
			return HapiFhirPostgresDialect.class.getName();
		}
		if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:h2:")) {
			return HapiFhirH2Dialect.class.getName();
		}
		throw new IllegalStateException("No Hibernate dialect known for JDBC URL " + jdbcUrl
				+ ": set sas.database.dialect (H2 and PostgreSQL are chosen automatically)");
	}

	static String luceneDirectory(SasProperties properties) {
		String configured = properties.getIndex().getLuceneDirectory();
		Path dir = configured == null || configured.isBlank()
				? properties.getDataDir().resolve("lucene")
				: Path.of(configured);
		return dir.toAbsolutePath().toString();
	}
}
