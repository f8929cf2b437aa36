package fr.sas.fhir.contextual;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresOpenSearchServerTest;
import org.junit.jupiter.api.Nested;
import org.springframework.beans.factory.annotation.Autowired;

/** The contextual search on PostgreSQL + a real OpenSearch node, as several nodes run it. */
class PostgresOpenSearchContextualSearchTest extends PostgresOpenSearchServerTest {

	@Autowired
	ContextualProperties properties;

	@Nested
	class Searches extends ContextualSearchContract {
		@Override
		FhirHttp fhir() {
			return PostgresOpenSearchContextualSearchTest.this.fhir();
		}

		@Override
		ContextualProperties properties() {
			return properties;
		}
	}
}
