package fr.sas.fhir.api;

import fr.sas.fhir.support.H2ServerTest;

/** The foundation's REST contract on the embedded default. */
class H2FhirApiTest extends H2ServerTest implements FhirApiContract {}
