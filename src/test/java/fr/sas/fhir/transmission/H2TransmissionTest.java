package fr.sas.fhir.transmission;

import fr.sas.fhir.support.ServerTestBase;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * INT_L02 on the embedded default (H2 + Lucene), in a data directory of its own: not {@code H2ServerTest}'s,
 * whose context (other properties) holds that directory's index lock in the same JVM.
 */
class H2TransmissionTest extends ServerTestBase implements TransmissionContract {

	private static final TransmissionSuite SUITE = new TransmissionSuite("h2");

	@BeforeAll
	static void requireBroker() {
		TransmissionSuite.requireBroker();
		SUITE.lrm();
	}

	@DynamicPropertySource
	static void transmission(DynamicPropertyRegistry registry) throws Exception {
		SUITE.properties(registry);
		String dir = Files.createTempDirectory("sas-h2-transmission").toString();
		registry.add("sas.data-dir", () -> dir);
	}

	@Override
	public TransmissionSuite suite() {
		return SUITE;
	}
}
