package fr.sas.fhir.support;

import fr.sas.fhir.SasFhirServerApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The whole server on a random port. Subclasses choose the database; one Spring context is shared per choice. */
@SpringBootTest(classes = SasFhirServerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServerTestBase {

	@LocalServerPort
	protected int port;

	public FhirHttp fhir() {
		return new FhirHttp("http://localhost:" + port + "/fhir");
	}

	public FhirHttp root() {
		return new FhirHttp("http://localhost:" + port, "application/json");
	}
}
