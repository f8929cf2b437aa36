package fr.sas.fhir.monitoring;

import java.util.Arrays;
import java.util.Optional;

/** The anomaly rules, their codes ({@code terminology/CodeSystem-sas-alert-rule.json}) and their severity. */
public enum AlertRule {
	UNREACHABLE("unreachable", "Endpoint unreachable or timing out on every call", Severity.BLOCKING),
	ERROR_RATE("error-rate", "Error or time-out rate over the threshold", Severity.MAJOR),
	LATENCY("latency", "p95 latency over the time budget", Severity.MAJOR),
	INVALID_ANSWERS("invalid-answers", "Invalid answers or dropped entries over the threshold", Severity.MINOR),
	CERTIFICATE_EXPIRY("certificate-expiry", "Server certificate expiring soon", Severity.MINOR),
	WRITES_STOPPED("writes-stopped", "Pushed slots stopped arriving", Severity.MAJOR);

	public static final String SYSTEM = "https://sas-fhir-server.example/fhir/CodeSystem/sas-alert-rule";

	private final String code;
	private final String display;
	private final Severity severity;

	AlertRule(String code, String display, Severity severity) {
		this.code = code;
		this.display = display;
		this.severity = severity;
	}

	public String code() {
		return code;
	}

	public String display() {
		return display;
	}

	public Severity severity() {
		return severity;
	}

	public static Optional<AlertRule> ofCode(String code) {
		return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst();
	}
}
