package fr.sas.fhir.security;

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
 * One line of the audit trail (append-only: the server inserts, never updates nor deletes): who, from where,
 * what, when, with what outcome. Read back by administrators as AuditEvent resources ({@link AuditTrail}).
 */
@Entity
@Table(name = "SAS_AUDIT", indexes = {
		@Index(name = "IDX_SAS_AUDIT_AT", columnList = "RECORDED_AT"),
		@Index(name = "IDX_SAS_AUDIT_WHO", columnList = "WHO,RECORDED_AT")})
public class AuditRecord {

	/** Assigned by {@link AuditInserts} from this sequence, a block of 50 at a time, as Hibernate would. */
	@Id
	@GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "SEQ_SAS_AUDIT")
	@SequenceGenerator(name = "SEQ_SAS_AUDIT", sequenceName = "SEQ_SAS_AUDIT", allocationSize = 50)
	@Column(name = "ID")
	private Long id;

	@Column(name = "RECORDED_AT", nullable = false)
	private Instant recordedAt;

	/** Client id, or a person's national identifier, or "anonymous". */
	@Column(name = "WHO", length = 100, nullable = false)
	private String who;

	@Column(name = "ROLE", length = 20)
	private String role;

	@Column(name = "ADDRESS", length = 64)
	private String address;

	/** The interaction ("create", "search-type", "operation $contextual-search", "refused", ...). */
	@Column(name = "INTERACTION", length = 60, nullable = false)
	private String interaction;

	/** What: "Type/id", or the request's path and query. */
	@Column(name = "TARGET", length = 2000)
	private String target;

	/** The HTTP status of the answer. */
	@Column(name = "STATUS", nullable = false)
	private int status;

	@Column(name = "DETAIL", length = 1000)
	private String detail;

	protected AuditRecord() {}

	AuditRecord(Instant recordedAt, String who, String role, String address, String interaction, String target,
			int status, String detail) {
		this.recordedAt = recordedAt;
		this.who = cut(who, 100);
		this.role = cut(role, 20);
		this.address = cut(address, 64);
		this.interaction = cut(interaction, 60);
		this.target = cut(target, 2000);
		this.status = status;
		this.detail = cut(detail, 1000);
	}

	private static String cut(String value, int length) {
		return value == null || value.length() <= length ? value : value.substring(0, length);
	}

	public Long getId() {
		return id;
	}

	public Instant getRecordedAt() {
		return recordedAt;
	}

	public String getWho() {
		return who;
	}

	public String getRole() {
		return role;
	}

	public String getAddress() {
		return address;
	}

	public String getInteraction() {
		return interaction;
	}

	public String getTarget() {
		return target;
	}

	public int getStatus() {
		return status;
	}

	public String getDetail() {
		return detail;
	}
}
