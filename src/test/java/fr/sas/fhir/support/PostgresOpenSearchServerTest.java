package fr.sas.fhir.support;

import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The server as several nodes run it: PostgreSQL for the data, a real OpenSearch node for the search index (the
 * full-text index and the contextual search's cards), this JVM's indices under their own prefix.
 */
public abstract class PostgresOpenSearchServerTest extends ServerTestBase {

	/** This JVM's index-name prefix: every index the server creates starts with it. */
	public static final String INDEX_PREFIX = "t" + UUID.randomUUID().toString().substring(0, 8);

	@BeforeAll
	static void requireEngineAndDatabase() {
		PostgresTestDatabase.url();
		OpenSearchNode.hosts();
	}

	@DynamicPropertySource
	static void postgresAndOpenSearch(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", PostgresTestDatabase::url);
		registry.add("spring.datasource.username", PostgresTestDatabase::user);
		registry.add("spring.datasource.password", PostgresTestDatabase::password);
		registry.add("sas.data-dir", () -> DATA_DIR.toString());
		registry.add("sas.index.backend", () -> "elasticsearch");
		registry.add("sas.index.elasticsearch.hosts", OpenSearchNode::hosts);
		registry.add("sas.index.elasticsearch.version", () -> "opensearch:2.19");
		registry.add("sas.index.elasticsearch.index-prefix", () -> INDEX_PREFIX);
	}

	private static final java.nio.file.Path DATA_DIR = tempDir();

	private static java.nio.file.Path tempDir() {
		try {
			return java.nio.file.Files.createTempDirectory("sas-pg-os-test");
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}
}
