package fr.sas.fhir.publishers;

/**
 * Told of every call to a publisher's endpoint and of what the caller found in its answer (the monitoring's
 * meters and anomaly rules). Called on the client's threads: keep it quick, never block.
 */
public interface PublisherCallListener {

	/** A call ended (or was not made: breaker open, bulkhead full). */
	default void called(PublisherCall call) {}

	/** The caller checked an answer: what it kept and dropped, and why. */
	default void checked(CheckedAnswer answer) {}
}
