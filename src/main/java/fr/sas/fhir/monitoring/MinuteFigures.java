package fr.sas.fhir.monitoring;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Embeddable;
import java.time.Instant;

/**
 * Counts of calls and answers, for one minute or summed over a window (not thread-safe: one owner at a time); the
 * columns of a {@link CallMinute} row.
 */
@Embeddable
class MinuteFigures {

	/** Calls made (time-outs and errors included; not those skipped by the breaker or the bulkhead). */
	@Column(name = "CALLS", nullable = false)
	long calls;
	@Column(name = "ANSWERED", nullable = false)
	long answered;
	@Column(name = "FAILURES", nullable = false)
	long failures;
	@Column(name = "TIMEOUTS", nullable = false)
	long timeouts;
	@Column(name = "HTTP_ERRORS", nullable = false)
	long httpErrors;
	@Column(name = "TLS_ERRORS", nullable = false)
	long tlsErrors;
	@Column(name = "NOT_CALLED", nullable = false)
	long notCalled;
	@Column(name = "CHECKED", nullable = false)
	long checked;
	@Column(name = "INVALID", nullable = false)
	long invalid;
	@Column(name = "WITH_DROPS", nullable = false)
	long withDrops;
	@Column(name = "EMPTY_ANSWERS", nullable = false)
	long empty;
	@Column(name = "DROPPED", nullable = false)
	long dropped;
	@Column(name = "ELAPSED_MS", nullable = false)
	long elapsedMillis;
	/** Calls by latency bucket ({@link Latencies#BOUNDS}), stored comma-separated. */
	@Column(name = "LATENCIES", length = 400, nullable = false)
	@Convert(converter = LatenciesColumn.class)
	long[] latencies = new long[Latencies.BOUNDS.length + 1];
	@Column(name = "CERT_NOT_AFTER")
	Instant certificateNotAfter;
	@Column(name = "LAST_ERROR", length = LAST_ERROR_LENGTH)
	String lastError;

	private static final int LAST_ERROR_LENGTH = 1000;

	void add(MinuteFigures f) {
		calls += f.calls;
		answered += f.answered;
		failures += f.failures;
		timeouts += f.timeouts;
		httpErrors += f.httpErrors;
		tlsErrors += f.tlsErrors;
		notCalled += f.notCalled;
		checked += f.checked;
		invalid += f.invalid;
		withDrops += f.withDrops;
		empty += f.empty;
		dropped += f.dropped;
		elapsedMillis += f.elapsedMillis;
		for (int i = 0; i < latencies.length; i++) {
			latencies[i] += f.latencies[i];
		}
		if (f.certificateNotAfter != null && (certificateNotAfter == null || f.certificateNotAfter.isBefore(certificateNotAfter))) {
			certificateNotAfter = f.certificateNotAfter;
		}
		if (f.lastError != null) {
			lastError = f.lastError.length() > LAST_ERROR_LENGTH ? f.lastError.substring(0, LAST_ERROR_LENGTH) : f.lastError;
		}
	}

	double failureRate() {
		return calls == 0 ? 0 : (double) failures / calls;
	}

	double invalidRate() {
		return checked == 0 ? 0 : (double) (invalid + withDrops) / checked;
	}

	/** The 95th percentile of the calls' latencies, as the upper bound of its bucket (ms); 0 without calls. */
	long p95Millis() {
		return Latencies.percentile(latencies, 0.95);
	}

	long meanMillis() {
		return calls == 0 ? 0 : elapsedMillis / calls;
	}

	/** The histogram as its column holds it. */
	static final class LatenciesColumn implements AttributeConverter<long[], String> {
		@Override
		public String convertToDatabaseColumn(long[] counts) {
			return Latencies.format(counts);
		}

		@Override
		public long[] convertToEntityAttribute(String text) {
			return Latencies.parse(text);
		}
	}
}
