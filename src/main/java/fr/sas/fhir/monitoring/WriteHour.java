package fr.sas.fhir.monitoring;

import jakarta.persistence.AttributeOverride;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One node's slot writes accepted from one publisher in one clock hour (table {@code SAS_MONITORING_WRITES}), and
 * the last one's time: the evidence of the {@code writes-stopped} rule. An hour, not a minute, is its grain: the rule
 * judges hours of silence and of regularity, and reads a day of rows per publisher at every turn (24 per node, not
 * 1,440). Each node writes its own rows, as for {@link CallMinute}; {@code sas.monitoring.retention} bounds them.
 */
@Entity
@AttributeOverride(name = "id", column = @Column(name = "ID", length = 400))
@Table(name = "SAS_MONITORING_WRITES", indexes = @Index(name = "IDX_SAS_MON_WRITES_HOUR", columnList = "HOUR_AT, PUBLISHER"))
public class WriteHour extends PublisherHour {

	@Column(name = "ACCEPTED", nullable = false)
	private long accepted;

	protected WriteHour() {}

	WriteHour(String publisher, Instant hour, String node, long accepted, Instant lastAt) {
		super(idOf(publisher, hour, node), publisher, hour, node, lastAt);
		this.accepted = accepted;
	}

	void add(long more, Instant at) {
		accepted += more;
		lastAt(at);
	}

	public long getAccepted() {
		return accepted;
	}
}
