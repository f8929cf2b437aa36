package fr.sas.fhir.rules;

import fr.sas.fhir.support.H2ServerTest;

class H2SlotBookingTest extends H2ServerTest implements SlotBookingContract {}
