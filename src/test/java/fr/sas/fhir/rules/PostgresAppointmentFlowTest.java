package fr.sas.fhir.rules;

import fr.sas.fhir.support.PostgresServerTest;

class PostgresAppointmentFlowTest extends PostgresServerTest implements AppointmentFlowContract {}
