package fr.sas.fhir.monitoring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import java.time.Instant;

/**
 * The state of one alert (table {@code SAS_MONITORING_ALERT}); the alert people read is its {@code DetectedIssue}.
 * {@code OPEN_KEY} is {@code endpoint|rule} while open and null once closed, and unique: one open alert per endpoint
 * and rule, whichever node evaluates. {@code SEVERITY} is the rule's severity, stored so that readers of the table (the
 * analytics' {@code sas-anomalies}) need not know the rules ({@link AlertSeverities} fills it for alerts stored before).
 */
@Entity
@Table(name = "SAS_MONITORING_ALERT", uniqueConstraints = @UniqueConstraint(name = "UQ_SAS_MON_ALERT_OPEN", columnNames = "OPEN_KEY"),
		indexes = @Index(name = "IDX_SAS_MON_ALERT_ENDPOINT", columnList = "ENDPOINT"))
public class AlertRecord {

	@Id
	@Column(name = "ISSUE_ID", length = 64)
	private String issueId;

	@Column(name = "ENDPOINT", length = 100, nullable = false)
	private String endpoint;

	@Column(name = "RULE_CODE", length = 40, nullable = false)
	private String rule;

	/** The rule's severity when the alert opened ({@link Severity#code()}): read by the analytics' anomaly measure. */
	@Column(name = "SEVERITY", length = 10)
	private String severity;

	@Column(name = "OPEN_KEY", length = 160)
	private String openKey;

	@Column(name = "OPENED_AT", nullable = false)
	private Instant openedAt;

	@Column(name = "DEADLINE", nullable = false)
	private Instant deadline;

	@Column(name = "HELD_AT")
	private Instant heldAt;

	@Column(name = "CLEAR_SINCE")
	private Instant clearSince;

	@Column(name = "ESCALATED_AT")
	private Instant escalatedAt;

	@Column(name = "SUSPENDED_AT")
	private Instant suspendedAt;

	@Column(name = "CLOSED_AT")
	private Instant closedAt;

	protected AlertRecord() {}

	AlertRecord(String issueId, String endpoint, AlertRule rule, Instant openedAt, Instant deadline) {
		this.issueId = issueId;
		this.endpoint = endpoint;
		this.rule = rule.code();
		this.severity = rule.severity().code();
		this.openKey = endpoint + "|" + rule.code();
		this.openedAt = openedAt;
		this.deadline = deadline;
		this.heldAt = openedAt;
	}

	public String getIssueId() {
		return issueId;
	}

	public String getEndpoint() {
		return endpoint;
	}

	public AlertRule rule() {
		return AlertRule.ofCode(rule).orElseThrow();
	}

	public Instant getOpenedAt() {
		return openedAt;
	}

	public Instant getDeadline() {
		return deadline;
	}

	public Instant getClearSince() {
		return clearSince;
	}

	public Instant getEscalatedAt() {
		return escalatedAt;
	}

	public Instant getSuspendedAt() {
		return suspendedAt;
	}

	public Instant getClosedAt() {
		return closedAt;
	}

	/** As stored: {@code blocking}, {@code major} or {@code minor}. */
	public String getSeverity() {
		return severity;
	}

	public boolean open() {
		return closedAt == null;
	}

	void held(Instant at) {
		heldAt = at;
		clearSince = null;
	}

	void clear(Instant at) {
		if (clearSince == null) {
			clearSince = at;
		}
	}

	void escalated(Instant at) {
		escalatedAt = at;
	}

	void suspended(Instant at) {
		suspendedAt = at;
	}

	void closed(Instant at) {
		closedAt = at;
		openKey = null;
	}
}
