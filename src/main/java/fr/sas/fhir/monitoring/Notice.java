package fr.sas.fhir.monitoring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One notice of an alert event to one receiver (table {@code SAS_MONITORING_NOTICE}): recorded in the transaction
 * that changed the alert, delivered by {@link NoticeRelay}, then marked sent. Never lost (it is in the database
 * before anyone is told), sent once (one relay at a time, marked sent as soon as delivered; its id travels with it
 * so that a receiver can drop the one duplicate a crash between delivery and marking could cause).
 */
@Entity
@Table(name = "SAS_MONITORING_NOTICE", indexes = @Index(name = "IDX_SAS_MON_NOTICE_STATE", columnList = "STATE, NEXT_AT"))
public class Notice {

	enum State { PENDING, SENT }

	@Id
	@SequenceGenerator(name = "SEQ_SAS_MON_NOTICE", sequenceName = "SEQ_SAS_MON_NOTICE", allocationSize = 1)
	@GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "SEQ_SAS_MON_NOTICE")
	@Column(name = "ID")
	private Long id;

	@Column(name = "ISSUE_ID", length = 64, nullable = false)
	private String issueId;

	@Column(name = "EVENT", length = 16, nullable = false)
	private String event;

	/** {@code webhook} or {@code mail}. */
	@Column(name = "CHANNEL", length = 16, nullable = false)
	private String channel;

	/** The URL, or the addresses. */
	@Column(name = "TARGET", length = 1000, nullable = false)
	private String target;

	@Column(name = "PAYLOAD", length = 20000, nullable = false)
	private String payload;

	/** A {@link State}'s name (a plain string column: H2 cannot index its enum type). */
	@Column(name = "STATE", length = 16, nullable = false)
	private String state = State.PENDING.name();

	@Column(name = "RECORDED_AT", nullable = false)
	private Instant recordedAt;

	@Column(name = "NEXT_AT", nullable = false)
	private Instant nextAt;

	@Column(name = "SENT_AT")
	private Instant sentAt;

	@Column(name = "ATTEMPTS", nullable = false)
	private int attempts;

	@Column(name = "LAST_ERROR", length = 1000)
	private String lastError;

	protected Notice() {}

	Notice(String issueId, String event, String channel, String target, String payload, Instant at) {
		this.issueId = issueId;
		this.event = event;
		this.channel = channel;
		this.target = target;
		this.payload = payload;
		this.recordedAt = at;
		this.nextAt = at;
	}

	public Long getId() {
		return id;
	}

	public String getIssueId() {
		return issueId;
	}

	public String getEvent() {
		return event;
	}

	public String getChannel() {
		return channel;
	}

	public String getTarget() {
		return target;
	}

	public String getPayload() {
		return payload;
	}

	public State getState() {
		return State.valueOf(state);
	}

	public int getAttempts() {
		return attempts;
	}

	Instant getNextAtInstant() {
		return nextAt;
	}

	public String getLastError() {
		return lastError;
	}

	void sent(Instant at) {
		state = State.SENT.name();
		sentAt = at;
		attempts++;
		lastError = null;
	}

	void failed(Instant retryAt, String error) {
		attempts++;
		nextAt = retryAt;
		lastError = error == null ? null : error.length() > 1000 ? error.substring(0, 1000) : error;
	}
}
