package fr.sas.fhir.common;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A scheduled job's lease (table {@code SAS_JOB_LEASE}, one row per job): the node that holds it until
 * {@link #until} runs the job; the others skip their turn. See {@link JobLeases}.
 */
@Entity
@Table(name = "SAS_JOB_LEASE")
public class JobLease {

	@Id
	@Column(name = "JOB", length = 100)
	private String job;

	@Column(name = "HOLDER", length = 200, nullable = false)
	private String holder;

	@Column(name = "UNTIL_AT", nullable = false)
	private Instant until;

	protected JobLease() {}

	JobLease(String job, String holder, Instant until) {
		this.job = job;
		this.holder = holder;
		this.until = until;
	}

	public String getHolder() {
		return holder;
	}

	public Instant getUntil() {
		return until;
	}
}
