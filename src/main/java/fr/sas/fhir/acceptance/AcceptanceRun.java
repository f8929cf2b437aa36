package fr.sas.fhir.acceptance;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One run of the {@code $acceptance} operation (table {@code SAS_ACCEPTANCE_RUN}): which endpoint, when, its state
 * and, once done, its verdict and its JSON report: the history of each publisher's acceptance (the "PV"), shared by
 * the nodes (any node answers the status URL).
 */
@Entity
@Table(name = "SAS_ACCEPTANCE_RUN", indexes = @Index(name = "IDX_SAS_ACCEPTANCE_ENDPOINT", columnList = "ENDPOINT_ID"))
public class AcceptanceRun {

	public enum State { RUNNING, DONE, ERROR }

	static final int MAX_REPORT = 1_000_000;

	@Id
	@Column(name = "ID", length = 36)
	private String id;

	@Column(name = "ENDPOINT_ID", length = 100, nullable = false)
	private String endpointId;

	@Column(name = "REQUESTED_AT", nullable = false)
	private Instant requestedAt;

	@Column(name = "FINISHED_AT")
	private Instant finishedAt;

	@Column(name = "STATE", length = 20, nullable = false)
	private String state;

	@Column(name = "ACCEPTED")
	private Boolean accepted;

	@Column(name = "SUMMARY", length = 1000)
	private String summary;

	@Column(name = "REPORT", length = MAX_REPORT)
	private String report;

	protected AcceptanceRun() {}

	AcceptanceRun(String id, String endpointId, Instant requestedAt) {
		this.id = id;
		this.endpointId = endpointId;
		this.requestedAt = requestedAt;
		this.state = State.RUNNING.name();
	}

	void done(Instant at, boolean accepted, String summary, String report) {
		this.finishedAt = at;
		this.state = State.DONE.name();
		this.accepted = accepted;
		this.summary = summary.length() > 1000 ? summary.substring(0, 1000) : summary;
		this.report = report;
	}

	void failed(Instant at, String why) {
		this.finishedAt = at;
		this.state = State.ERROR.name();
		this.summary = why == null ? "error" : why.length() > 1000 ? why.substring(0, 1000) : why;
	}

	public String getId() {
		return id;
	}

	public String getEndpointId() {
		return endpointId;
	}

	public Instant getRequestedAt() {
		return requestedAt;
	}

	public Instant getFinishedAt() {
		return finishedAt;
	}

	public State getState() {
		return State.valueOf(state);
	}

	public Boolean getAccepted() {
		return accepted;
	}

	public String getSummary() {
		return summary;
	}

	public String getReport() {
		return report;
	}
}
