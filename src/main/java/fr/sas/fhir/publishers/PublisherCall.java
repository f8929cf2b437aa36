package fr.sas.fhir.publishers;

import java.time.Duration;
import java.time.Instant;

/**
 * One call to a publisher's endpoint and how it ended.
 *
 * @param useCase the search it was for, null for another call (metadata, a probe)
 * @param url the whole URL called
 * @param startedAt on the server's clock
 * @param elapsed from the call to its end (the whole answer read), or to the failure
 * @param status the HTTP status, 0 when there was no answer
 * @param body the answer's bytes (empty when none)
 * @param error what went wrong, for people (null when answered)
 * @param certificateNotAfter the end of validity of the endpoint's TLS certificate, null over plain http
 * @param protocol the HTTP version used ({@code HTTP_2}, {@code HTTP_1_1}), null without an answer
 * @param location the answer's {@code Location} header, null when none (a write's answer names the resource there)
 */
public record PublisherCall(
		PublisherEndpoint endpoint,
		UseCase useCase,
		String url,
		Instant startedAt,
		Duration elapsed,
		CallOutcome outcome,
		int status,
		String contentType,
		byte[] body,
		String error,
		Instant certificateNotAfter,
		String protocol,
		String location) {

	/** A call whose answer's headers are not kept. */
	public PublisherCall(PublisherEndpoint endpoint, UseCase useCase, String url, Instant startedAt, Duration elapsed,
			CallOutcome outcome, int status, String contentType, byte[] body, String error, Instant certificateNotAfter,
			String protocol) {
		this(endpoint, useCase, url, startedAt, elapsed, outcome, status, contentType, body, error, certificateNotAfter,
				protocol, null);
	}

	public boolean answered() {
		return outcome == CallOutcome.ANSWERED;
	}

	/** A short phrase saying how it ended, for an OperationOutcome or an alert's evidence. */
	public String describe() {
		return switch (outcome) {
			case ANSWERED -> "answered " + status + " in " + elapsed.toMillis() + " ms";
			case HTTP_ERROR -> "answered HTTP " + status + " in " + elapsed.toMillis() + " ms";
			case TIMEOUT -> "no answer within " + elapsed.toMillis() + " ms (time-out)";
			case CONNECTION_ERROR -> "connection failed: " + error;
			case TLS_ERROR -> "TLS failed: " + error;
			case TOO_LARGE -> "answer too large: " + error;
			case SHORT_CIRCUITED -> "not called: its circuit breaker is open after repeated failures";
			case BULKHEAD_FULL -> "not called: too many calls already in flight to it";
		};
	}
}
