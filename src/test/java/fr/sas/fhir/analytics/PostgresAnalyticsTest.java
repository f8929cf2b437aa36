package fr.sas.fhir.analytics;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresServerTest;
import org.junit.jupiter.api.Nested;

/** The indicators on PostgreSQL (the SQL both databases spell differently), in the shared PostgreSQL test context. */
class PostgresAnalyticsTest extends PostgresServerTest {

	@Nested
	class Indicators extends AnalyticsContract {
		@Override
		FhirHttp fhir() {
			return PostgresAnalyticsTest.this.fhir();
		}
	}
}
