package fr.sas.fhir.monitoring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One node's slot writes refused to one publisher in one clock hour by one rule code (table
 * {@code SAS_MONITORING_REFUSALS}), with the last refusal's time and a sample (the request and the first issue's
 * diagnostics): the evidence of the {@code writes-refused} rule. The hour is the grain of {@link WriteHour}, whose
 * accepted writes are the other half of the ratio; the rule codes are the server's own (a few dozen), so the rows
 * stay few.
 */
@Entity
@Table(name = "SAS_MONITORING_REFUSALS", indexes = @Index(name = "IDX_SAS_MON_REFUSALS_HOUR", columnList = "HOUR_AT, PUBLISHER"))
public class RefusedWriteHour extends PublisherHour {

	static final int SAMPLE_LENGTH = 500;

	/** The rule code the refusal's OperationOutcome named, else {@code http-<status>}. */
	@Column(name = "RULE_CODE", length = 80, nullable = false)
	private String rule;

	@Column(name = "REFUSED", nullable = false)
	private long refused;

	@Column(name = "SAMPLE", length = SAMPLE_LENGTH)
	private String sample;

	protected RefusedWriteHour() {}

	RefusedWriteHour(String publisher, Instant hour, String node, String rule, long refused, Instant lastAt, String sample) {
		super(idOf(publisher, hour, node, rule), publisher, hour, node, lastAt);
		this.rule = rule;
		this.refused = refused;
		this.sample = sample;
	}

	static String idOf(String publisher, Instant hour, String node, String rule) {
		return idOf(publisher, hour, node) + "|" + rule;
	}

	void add(long more, Instant at, String lastSample) {
		refused += more;
		if (lastAt(at)) {
			sample = lastSample;
		}
	}

	public String getRule() {
		return rule;
	}

	public long getRefused() {
		return refused;
	}

	public String getSample() {
		return sample;
	}
}
