package fr.sas.fhir.api;

import fr.sas.fhir.support.PostgresServerTest;

/** The foundation's REST contract on PostgreSQL. */
class PostgresFhirApiTest extends PostgresServerTest implements FhirApiContract {}
