package fr.sas.fhir.search;

import fr.sas.fhir.support.PostgresServerTest;
import fr.sas.fhir.support.PostgresTestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The slot searches on PostgreSQL (the test database of this JVM), with a Lucene directory of their own. */
class PostgresGuideSearchTest extends GuideSearchContract {

	@BeforeAll
	static void requirePostgres() {
		PostgresServerTest.requirePostgres();
	}

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) throws java.io.IOException {
		Path dataDir = Files.createTempDirectory("sas-pg-search-test");
		registry.add("spring.datasource.url", PostgresTestDatabase::url);
		registry.add("spring.datasource.username", PostgresTestDatabase::user);
		registry.add("spring.datasource.password", PostgresTestDatabase::password);
		registry.add("sas.data-dir", dataDir::toString);
	}
}
