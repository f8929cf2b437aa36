package fr.sas.fhir.transmission;

import fr.sas.fhir.support.PostgresTestDatabase;
import fr.sas.fhir.support.ServerTestBase;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * INT_L02 on PostgreSQL (this JVM's test database), with an index directory of its own: not
 * {@code PostgresServerTest}'s, whose context (other properties) holds that directory's lock in the same JVM.
 */
class PostgresTransmissionTest extends ServerTestBase implements TransmissionContract {

	private static final TransmissionSuite SUITE = new TransmissionSuite("pg");

	@BeforeAll
	static void requireServices() {
		PostgresTestDatabase.url();
		TransmissionSuite.requireBroker();
		SUITE.lrm();
	}

	@DynamicPropertySource
	static void transmission(DynamicPropertyRegistry registry) throws Exception {
		SUITE.properties(registry);
		registry.add("spring.datasource.url", PostgresTestDatabase::url);
		registry.add("spring.datasource.username", PostgresTestDatabase::user);
		registry.add("spring.datasource.password", PostgresTestDatabase::password);
		String dir = Files.createTempDirectory("sas-pg-transmission").toString();
		registry.add("sas.data-dir", () -> dir);
	}

	@Override
	public TransmissionSuite suite() {
		return SUITE;
	}
}
