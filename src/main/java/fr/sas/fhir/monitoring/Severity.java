package fr.sas.fhir.monitoring;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.hl7.fhir.r4.model.DetectedIssue;

/**
 * The interfacing agreement's classes of anomaly and their deadlines: blocking fixed within 2 working days, major
 * within 14 working days, minor within 30 (calendar) days; as {@code DetectedIssue.severity} high, moderate, low.
 */
public enum Severity {
	BLOCKING(DetectedIssue.DetectedIssueSeverity.HIGH, 2, true, "bloquante"),
	MAJOR(DetectedIssue.DetectedIssueSeverity.MODERATE, 14, true, "majeure"),
	MINOR(DetectedIssue.DetectedIssueSeverity.LOW, 30, false, "mineure");

	private final DetectedIssue.DetectedIssueSeverity fhir;
	private final int days;
	private final boolean workingDays;
	private final String label;

	Severity(DetectedIssue.DetectedIssueSeverity fhir, int days, boolean workingDays, String label) {
		this.fhir = fhir;
		this.days = days;
		this.workingDays = workingDays;
		this.label = label;
	}

	/** The class in French ("anomalie bloquante"). */
	public String label() {
		return label;
	}

	public DetectedIssue.DetectedIssueSeverity fhir() {
		return fhir;
	}

	public String code() {
		return name().toLowerCase();
	}

	/** The SLA deadline of an anomaly opened at {@code opened}, on the Paris calendar. */
	public Instant deadline(Instant opened) {
		if (workingDays) {
			return FrenchWorkingDays.plusWorkingDays(opened.atZone(FrenchWorkingDays.PARIS), days).toInstant();
		}
		return opened.atZone(FrenchWorkingDays.PARIS).plus(days, ChronoUnit.DAYS).toInstant();
	}
}
