package fr.sas.fhir.monitoring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One node's calls to one endpoint for one use case in one minute (table {@code SAS_MONITORING_CALLS}): the rules'
 * evidence, shared by the nodes (each writes its own rows, so no two nodes update one row) and kept across restarts;
 * {@code sas.monitoring.retention} bounds it (about 1,440 rows a day per endpoint, use case and node).
 */
@Entity
@Table(name = "SAS_MONITORING_CALLS", indexes = @Index(name = "IDX_SAS_MON_CALLS_MINUTE", columnList = "MINUTE_AT, ENDPOINT"))
public class CallMinute {

	@Id
	@Column(name = "ID", length = 400)
	private String id;

	@Column(name = "ENDPOINT", length = 100, nullable = false)
	private String endpoint;

	@Column(name = "USE_CASE", length = 16, nullable = false)
	private String useCase;

	@Column(name = "MINUTE_AT", nullable = false)
	private Instant minute;

	@Column(name = "NODE", length = 200, nullable = false)
	private String node;

	/** Calls made (time-outs and errors included; not those skipped by the breaker or the bulkhead). */
	@Column(name = "CALLS", nullable = false)
	private long calls;

	@Column(name = "ANSWERED", nullable = false)
	private long answered;

	@Column(name = "FAILURES", nullable = false)
	private long failures;

	@Column(name = "TIMEOUTS", nullable = false)
	private long timeouts;

	@Column(name = "HTTP_ERRORS", nullable = false)
	private long httpErrors;

	@Column(name = "TLS_ERRORS", nullable = false)
	private long tlsErrors;

	@Column(name = "NOT_CALLED", nullable = false)
	private long notCalled;

	@Column(name = "CHECKED", nullable = false)
	private long checked;

	@Column(name = "INVALID", nullable = false)
	private long invalid;

	@Column(name = "WITH_DROPS", nullable = false)
	private long withDrops;

	@Column(name = "EMPTY_ANSWERS", nullable = false)
	private long empty;

	@Column(name = "DROPPED", nullable = false)
	private long dropped;

	@Column(name = "ELAPSED_MS", nullable = false)
	private long elapsedMillis;

	/** Calls by latency bucket ({@link Latencies#BOUNDS}), comma-separated. */
	@Column(name = "LATENCIES", length = 400, nullable = false)
	private String latencies;

	@Column(name = "CERT_NOT_AFTER")
	private Instant certificateNotAfter;

	@Column(name = "LAST_ERROR", length = 1000)
	private String lastError;

	protected CallMinute() {}

	CallMinute(String endpoint, String useCase, Instant minute, String node) {
		this.id = endpoint + "|" + useCase + "|" + minute.getEpochSecond() + "|" + node;
		this.endpoint = endpoint;
		this.useCase = useCase;
		this.minute = minute;
		this.node = node;
		this.latencies = Latencies.empty();
	}

	static String idOf(String endpoint, String useCase, Instant minute, String node) {
		return endpoint + "|" + useCase + "|" + minute.getEpochSecond() + "|" + node;
	}

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
		latencies = Latencies.add(latencies, f.latencies);
		if (f.certificateNotAfter != null && (certificateNotAfter == null || f.certificateNotAfter.isBefore(certificateNotAfter))) {
			certificateNotAfter = f.certificateNotAfter;
		}
		if (f.lastError != null) {
			lastError = f.lastError.length() > 1000 ? f.lastError.substring(0, 1000) : f.lastError;
		}
	}

	/** Figures of this row, to sum with others. */
	MinuteFigures figures() {
		MinuteFigures f = new MinuteFigures();
		f.calls = calls;
		f.answered = answered;
		f.failures = failures;
		f.timeouts = timeouts;
		f.httpErrors = httpErrors;
		f.tlsErrors = tlsErrors;
		f.notCalled = notCalled;
		f.checked = checked;
		f.invalid = invalid;
		f.withDrops = withDrops;
		f.empty = empty;
		f.dropped = dropped;
		f.elapsedMillis = elapsedMillis;
		f.latencies = Latencies.parse(latencies);
		f.certificateNotAfter = certificateNotAfter;
		f.lastError = lastError;
		return f;
	}

	public String getEndpoint() {
		return endpoint;
	}

	public String getUseCase() {
		return useCase;
	}

	public Instant getMinute() {
		return minute;
	}
}
