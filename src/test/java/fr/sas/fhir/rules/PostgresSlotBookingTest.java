package fr.sas.fhir.rules;

import fr.sas.fhir.support.PostgresServerTest;

class PostgresSlotBookingTest extends PostgresServerTest implements SlotBookingContract {}
