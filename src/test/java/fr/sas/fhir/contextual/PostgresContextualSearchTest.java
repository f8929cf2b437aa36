package fr.sas.fhir.contextual;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresServerTest;
import org.junit.jupiter.api.Nested;
import org.springframework.beans.factory.annotation.Autowired;

/** The contextual search on the PostgreSQL (+ Lucene), in the Spring context the other PostgreSQL suites share. */
class PostgresContextualSearchTest extends PostgresServerTest {

	@Autowired
	ContextualProperties properties;

	@Nested
	class Searches extends ContextualSearchContract {
		@Override
		FhirHttp fhir() {
			return PostgresContextualSearchTest.this.fhir();
		}

		@Override
		ContextualProperties properties() {
			return properties;
		}
	}
}
