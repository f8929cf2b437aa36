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

/** One step in the history of a message to an LRM (append-only): its state from then on, and why. */
@Entity
@Table(name = "SAS_LRM_MESSAGE_EVENT", indexes = @Index(name = "IDX_SAS_LRM_EVENT_MSG", columnList = "MESSAGE_ID,ID"))
public class LrmMessageEvent {

	@Id
	@GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "SEQ_SAS_LRM_MESSAGE_EVENT")
	@SequenceGenerator(name = "SEQ_SAS_LRM_MESSAGE_EVENT", sequenceName = "SEQ_SAS_LRM_MESSAGE_EVENT", allocationSize = 50)
	@Column(name = "ID")
	private Long id;

	@Column(name = "MESSAGE_ID", nullable = false)
	private Long messageId;

	@Column(name = "EVENT_AT", nullable = false)
	private Instant at;

	@Enumerated(EnumType.STRING)
	@JdbcTypeCode(SqlTypes.VARCHAR) // a plain column on every database (H2 would make it an ENUM it cannot index)
	@Column(name = "STATE", length = 16, nullable = false)
	private LrmMessageState state;

	@Column(name = "DETAIL", length = 2000)
	private String detail;

	protected LrmMessageEvent() {}

	LrmMessageEvent(Long messageId, Instant at, LrmMessageState state, String detail) {
		this.messageId = messageId;
		this.at = at;
		this.state = state;
		this.detail = LrmMessage.detail(detail);
	}

	public Instant getAt() {
		return at;
	}

	public LrmMessageState getState() {
		return state;
	}

	public String getDetail() {
		return detail;
	}
}
