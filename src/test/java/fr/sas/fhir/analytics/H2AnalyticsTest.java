package fr.sas.fhir.analytics;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import org.junit.jupiter.api.Nested;

/** The indicators on the embedded default (H2), in the shared H2 test context. */
class H2AnalyticsTest extends H2ServerTest {

	@Nested
	class Indicators extends AnalyticsContract {
		@Override
		FhirHttp fhir() {
			return H2AnalyticsTest.this.fhir();
		}
	}
}
