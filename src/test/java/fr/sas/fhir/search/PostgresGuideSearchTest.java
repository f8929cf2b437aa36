package fr.sas.fhir.search;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresServerTest;
import org.junit.jupiter.api.Nested;

/** The slot searches on PostgreSQL, in the Spring context the other PostgreSQL suites share. */
class PostgresGuideSearchTest extends PostgresServerTest {

	@Nested
	class Searches extends GuideSearchContract {
		@Override
		FhirHttp fhir() {
			return PostgresGuideSearchTest.this.fhir();
		}
	}

	@Nested
	class SortedPage extends SortedSlotPageContract {
		@Override
		FhirHttp fhir() {
			return PostgresGuideSearchTest.this.fhir();
		}
	}
}
