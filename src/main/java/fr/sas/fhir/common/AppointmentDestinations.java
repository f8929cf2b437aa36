package fr.sas.fhir.common;

import java.util.Optional;

/**
 * Where an appointment was sent: the Hub client id of the SAMU whose LRM received its messages. Implemented by the
 * transmission to the LRMs; read by the role matrix, which shows an LRM the appointments of its SAMU only.
 */
public interface AppointmentDestinations {

	/** The destination of the latest message about {@code appointment} ("Appointment/123") that had one. */
	Optional<String> destinationOf(String appointment);
}
