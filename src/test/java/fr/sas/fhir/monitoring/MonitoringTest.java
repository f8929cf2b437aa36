package fr.sas.fhir.monitoring;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The monitoring on the embedded default, in one context (its own data directory), status page included. */
class MonitoringTest extends H2ServerTest {

	@DynamicPropertySource
	static void monitoring(DynamicPropertyRegistry registry) throws Exception {
		Path dir = Files.createTempDirectory("sas-monitoring-test");
		registry.add("sas.data-dir", dir::toString);
		MonitoringContract.properties(registry);
	}

	@Nested
	class OnH2 extends MonitoringContract {
		@Override
		FhirHttp fhir() {
			return MonitoringTest.this.fhir();
		}

		@Override
		int port() {
			return port;
		}
	}
}
