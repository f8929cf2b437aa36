package fr.sas.fhir.contextual;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import org.junit.jupiter.api.Nested;
import org.springframework.beans.factory.annotation.Autowired;

/** The contextual search on the embedded default (H2 + Lucene), in the Spring context the other H2 suites share. */
class H2ContextualSearchTest extends H2ServerTest {

	@Autowired
	ContextualProperties properties;

	@Nested
	class Searches extends ContextualSearchContract {
		@Override
		FhirHttp fhir() {
			return H2ContextualSearchTest.this.fhir();
		}

		@Override
		ContextualProperties properties() {
			return properties;
		}
	}
}
