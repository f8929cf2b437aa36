package fr.sas.fhir.security;

import fr.sas.fhir.support.PostgresTestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The role matrix and the refusals on PostgreSQL, deployed with TLS and tokens. */
class PostgresSecurityTest extends SecuredServer {

	@BeforeAll
	static void requirePostgres() {
		PostgresTestDatabase.url();
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws Exception {
		secured(registry);
		registry.add("spring.datasource.url", PostgresTestDatabase::url);
		registry.add("spring.datasource.username", PostgresTestDatabase::user);
		registry.add("spring.datasource.password", PostgresTestDatabase::password);
		registry.add("sas.data-dir", () -> DIR.resolve("pg-lucene").toString());
	}

	@Nested
	class Matrix extends SecurityContract {
		@Override
		SecuredServer server() {
			return PostgresSecurityTest.this;
		}
	}
}
