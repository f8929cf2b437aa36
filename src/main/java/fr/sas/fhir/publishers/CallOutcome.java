package fr.sas.fhir.publishers;

/** How a call to a publisher's endpoint ended (the monitoring counts them; the aggregator says them to the caller). */
public enum CallOutcome {
	/** An answer came back with a 2xx status (its content is checked by whoever asked). */
	ANSWERED(false),
	/** The endpoint answered with a 4xx or 5xx status. */
	HTTP_ERROR(true),
	/** No whole answer within the call's budget. */
	TIMEOUT(true),
	/** The connection could not be opened, or broke before an answer. */
	CONNECTION_ERROR(true),
	/** The TLS handshake failed: certificate unknown, expired, refused, protocol. */
	TLS_ERROR(true),
	/** An answer longer than {@code sas.publishers.max-answer-size}. */
	TOO_LARGE(true),
	/** Not called: its circuit breaker is open after repeated failures. */
	SHORT_CIRCUITED(false),
	/** Not called: as many calls as allowed are already in flight to it. */
	BULKHEAD_FULL(false);

	private final boolean failure;

	CallOutcome(boolean failure) {
		this.failure = failure;
	}

	/** Whether it counts against the endpoint (circuit breaker, error rates); a call not made does not. */
	public boolean failure() {
		return failure;
	}

	/** Whether a call was made at all. */
	public boolean called() {
		return this != SHORT_CIRCUITED && this != BULKHEAD_FULL;
	}
}
