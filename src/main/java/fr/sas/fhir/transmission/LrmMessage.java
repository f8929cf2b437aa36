package fr.sas.fhir.transmission;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import java.time.Instant;

/**
 * The outbox: one message to an LRM, recorded in the transaction of the appointment change it reports, then
 * published by the {@link LrmRelay} in the order of {@link #id}. The body is the message's {@code appointment}
 * payload; the envelope around it is written at each send (its {@code dateTimeSent}), always with the same
 * {@code distributionID}, by which the receivers de-duplicate.
 */
@Entity
@Table(name = "SAS_LRM_MESSAGE", indexes = {
		@Index(name = "IDX_SAS_LRM_MESSAGE_DIST", columnList = "DISTRIBUTION_ID", unique = true),
		@Index(name = "IDX_SAS_LRM_MESSAGE_STATE", columnList = "STATE,ID"),
		@Index(name = "IDX_SAS_LRM_MESSAGE_APPT", columnList = "APPOINTMENT,ID")})
public class LrmMessage {

	@Id
	@GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "SEQ_SAS_LRM_MESSAGE")
	@SequenceGenerator(name = "SEQ_SAS_LRM_MESSAGE", sequenceName = "SEQ_SAS_LRM_MESSAGE", allocationSize = 1)
	@Column(name = "ID")
	private Long id;

	@Column(name = "DISTRIBUTION_ID", length = 120, nullable = false)
	private String distributionId;

	/** The Appointment resource reported, {@code Appointment/123}. */
	@Column(name = "APPOINTMENT", length = 100, nullable = false)
	private String appointment;

	/** {@code appointmentId}: this server's UUID for the appointment, the same in every message about it. */
	@Column(name = "APPOINTMENT_UUID", length = 36, nullable = false)
	private String appointmentUuid;

	/** {@code CreateAppointment} or {@code UpdateAppointment}. */
	@Column(name = "METHOD", length = 20, nullable = false)
	private String method;

	/** The SAMU's Hub client id; null when it could not be routed. */
	@Column(name = "RECIPIENT", length = 100)
	private String recipient;

	/** {@code {"appointment": {...}}}; null when it could not be built. */
	@Column(name = "BODY", length = 20_000) // a plain text column (a few hundred bytes), not a large object
	private String body;

	@Enumerated(EnumType.STRING)
	@JdbcTypeCode(SqlTypes.VARCHAR) // a plain column on every database (H2 would make it an ENUM it cannot index)
	@Column(name = "STATE", length = 16, nullable = false)
	private LrmMessageState state;

	@Column(name = "RECORDED_AT", nullable = false)
	private Instant recordedAt;

	@Column(name = "EXPIRES_AT", nullable = false)
	private Instant expiresAt;

	@Column(name = "SENT_AT")
	private Instant sentAt;

	@Column(name = "ATTEMPTS", nullable = false)
	private int attempts;

	/** The error's code: the Hub's or the LRM's statusCode, or ours ({@code not-built}, {@code not-routed}). */
	@Column(name = "ERROR_CODE", length = 40)
	private String errorCode;

	@Column(name = "DETAIL", length = 2000)
	private String detail;

	protected LrmMessage() {}

	LrmMessage(String distributionId, String appointment, String appointmentUuid, String method, String recipient,
			String body, LrmMessageState state, Instant recordedAt, Instant expiresAt) {
		this.distributionId = distributionId;
		this.appointment = appointment;
		this.appointmentUuid = appointmentUuid;
		this.method = method;
		this.recipient = recipient;
		this.body = body;
		this.state = state;
		this.recordedAt = recordedAt;
		this.expiresAt = expiresAt;
	}

	/** A message that could not be built or routed: recorded, never sent. */
	void fail(String errorCode, String detail) {
		this.state = LrmMessageState.ERROR;
		this.errorCode = errorCode;
		this.detail = detail(detail);
	}

	/** A detail as the DETAIL columns (message and history) keep it: its first 2000 characters. */
	static String detail(String text) {
		return text == null || text.length() <= 2000 ? text : text.substring(0, 2000);
	}

	public Long getId() {
		return id;
	}

	public String getDistributionId() {
		return distributionId;
	}

	public String getAppointment() {
		return appointment;
	}

	public String getAppointmentUuid() {
		return appointmentUuid;
	}

	public String getMethod() {
		return method;
	}

	public String getRecipient() {
		return recipient;
	}

	public String getBody() {
		return body;
	}

	public LrmMessageState getState() {
		return state;
	}

	public Instant getRecordedAt() {
		return recordedAt;
	}

	public Instant getExpiresAt() {
		return expiresAt;
	}

	public Instant getSentAt() {
		return sentAt;
	}

	public int getAttempts() {
		return attempts;
	}

	public String getErrorCode() {
		return errorCode;
	}

	public String getDetail() {
		return detail;
	}
}
