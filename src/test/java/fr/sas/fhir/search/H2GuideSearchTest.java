package fr.sas.fhir.search;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import org.junit.jupiter.api.Nested;

/** The slot searches on the embedded default, in the Spring context the other H2 suites share. */
class H2GuideSearchTest extends H2ServerTest {

	@Nested
	class Searches extends GuideSearchContract {
		@Override
		FhirHttp fhir() {
			return H2GuideSearchTest.this.fhir();
		}
	}
}
