package fr.sas.fhir.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The server on a real PostgreSQL: a fresh database per test JVM (see {@link PostgresTestDatabase}). */
public abstract class PostgresServerTest extends ServerTestBase {

	/** Runs before the Spring context loads, so a missing server skips the class instead of failing it. */
	@BeforeAll
	static void requirePostgres() {
		PostgresTestDatabase.url();
	}

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", PostgresTestDatabase::url);
		registry.add("spring.datasource.username", PostgresTestDatabase::user);
		registry.add("spring.datasource.password", PostgresTestDatabase::password);
		// A Lucene directory for each context built (this method runs then): two would fight over its write lock.
		String luceneDir = tempDir().toString();
		registry.add("sas.data-dir", () -> luceneDir);
	}

	private static java.nio.file.Path tempDir() {
		try {
			return Files.createTempDirectory("sas-pg-test");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
