package fr.sas.fhir.rules;

import fr.sas.fhir.support.H2ServerTest;

class H2AppointmentFlowTest extends H2ServerTest implements AppointmentFlowContract {}
