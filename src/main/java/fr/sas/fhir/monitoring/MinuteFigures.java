package fr.sas.fhir.monitoring;

import java.time.Instant;

/** Counts of calls and answers, for one minute or summed over a window (not thread-safe: one owner at a time). */
final class MinuteFigures {
	long calls;
	long answered;
	long failures;
	long timeouts;
	long httpErrors;
	long tlsErrors;
	long notCalled;
	long checked;
	long invalid;
	long withDrops;
	long empty;
	long dropped;
	long elapsedMillis;
	long[] latencies = new long[Latencies.BOUNDS.length + 1];
	Instant certificateNotAfter;
	String lastError;

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
			lastError = f.lastError;
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
}
