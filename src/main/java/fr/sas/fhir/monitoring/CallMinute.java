package fr.sas.fhir.monitoring;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
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

	@Embedded
	private MinuteFigures figures = new MinuteFigures();

	protected CallMinute() {}

	CallMinute(String endpoint, String useCase, Instant minute, String node) {
		this.id = idOf(endpoint, useCase, minute, node);
		this.endpoint = endpoint;
		this.useCase = useCase;
		this.minute = minute;
		this.node = node;
	}

	static String idOf(String endpoint, String useCase, Instant minute, String node) {
		return endpoint + "|" + useCase + "|" + minute.getEpochSecond() + "|" + node;
	}

	void add(MinuteFigures more) {
		// A new value, not this one changed in place: Hibernate sees the histogram's array changed for sure.
		MinuteFigures sum = new MinuteFigures();
		sum.add(figures);
		sum.add(more);
		figures = sum;
	}

	/** Figures of this row, to read or to sum into others (not to change). */
	MinuteFigures figures() {
		return figures;
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
