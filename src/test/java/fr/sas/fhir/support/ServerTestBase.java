package fr.sas.fhir.support;

import fr.sas.fhir.SasFhirServerApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The whole server on a random port, its clock a {@link TestClock}, the {@code X-Sas-Search-Path} header honoured
 * so tests compare the dedicated slot search with HAPI's generic one, and the publisher named by
 * {@link #PUBLISHER_HEADER}. Subclasses choose the database; one Spring
 * context is shared per choice.
 */
@SpringBootTest(
		classes = SasFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = {"sas.search.plain-path-header=true", "sas.security.client-header=" + ServerTestBase.PUBLISHER_HEADER})
@Import(TestClock.Config.class)
public abstract class ServerTestBase {

	/** The header naming the publisher in tests (a TLS-terminating proxy's header in production). */
	public static final String PUBLISHER_HEADER = "X-Sas-Publisher";

	@LocalServerPort
	protected int port;

	public FhirHttp fhir() {
		return new FhirHttp("http://localhost:" + port + "/fhir");
	}

	public FhirHttp root() {
		return new FhirHttp("http://localhost:" + port, "application/json");
	}
}
