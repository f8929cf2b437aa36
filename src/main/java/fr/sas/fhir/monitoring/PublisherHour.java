package fr.sas.fhir.monitoring;

import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import java.time.Instant;

/**
 * What {@link WriteHour} and {@link RefusedWriteHour} both hold: one node's row for one publisher and clock hour
 * (the id joins them, and the rule code for a refusal), with the time of the last write counted in it.
 */
@MappedSuperclass
abstract class PublisherHour {

	@Id
	@Column(name = "ID", length = 500)
	private String id;

	/** The writer's client id, as its ownership tag names it. */
	@Column(name = "PUBLISHER", length = 100, nullable = false)
	private String publisher;

	@Column(name = "HOUR_AT", nullable = false)
	private Instant hour;

	@Column(name = "NODE", length = 200, nullable = false)
	private String node;

	@Column(name = "LAST_AT", nullable = false)
	private Instant lastAt;

	protected PublisherHour() {}

	PublisherHour(String id, String publisher, Instant hour, String node, Instant lastAt) {
		this.id = id;
		this.publisher = publisher;
		this.hour = hour;
		this.node = node;
		this.lastAt = lastAt;
	}

	static String idOf(String publisher, Instant hour, String node) {
		return publisher + "|" + hour.getEpochSecond() + "|" + node;
	}

	/** Moves the last write's time to {@code at} unless it is older; true when {@code at} is now the last. */
	boolean lastAt(Instant at) {
		if (at.isBefore(lastAt)) {
			return false;
		}
		lastAt = at;
		return true;
	}

	public String getPublisher() {
		return publisher;
	}

	public Instant getHour() {
		return hour;
	}

	public Instant getLastAt() {
		return lastAt;
	}
}
