package fr.sas.fhir.monitoring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
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
@Table(name = "SAS_MONITORING_WRITES", indexes = @Index(name = "IDX_SAS_MON_WRITES_HOUR", columnList = "HOUR_AT, PUBLISHER"))
public class WriteHour {

	@Id
	@Column(name = "ID", length = 400)
	private String id;

	/** The writer's client id, as its ownership tag names it. */
	@Column(name = "PUBLISHER", length = 100, nullable = false)
	private String publisher;

	@Column(name = "HOUR_AT", nullable = false)
	private Instant hour;

	@Column(name = "NODE", length = 200, nullable = false)
	private String node;

	@Column(name = "ACCEPTED", nullable = false)
	private long accepted;

	@Column(name = "LAST_AT", nullable = false)
	private Instant lastAt;

	protected WriteHour() {}

	WriteHour(String publisher, Instant hour, String node, long accepted, Instant lastAt) {
		this.id = idOf(publisher, hour, node);
		this.publisher = publisher;
		this.hour = hour;
		this.node = node;
		this.accepted = accepted;
		this.lastAt = lastAt;
	}

	static String idOf(String publisher, Instant hour, String node) {
		return publisher + "|" + hour.getEpochSecond() + "|" + node;
	}

	void add(long more, Instant at) {
		accepted += more;
		if (at.isAfter(lastAt)) {
			lastAt = at;
		}
	}

	public String getPublisher() {
		return publisher;
	}

	public Instant getHour() {
		return hour;
	}

	public long getAccepted() {
		return accepted;
	}

	public Instant getLastAt() {
		return lastAt;
	}
}
