package fr.sas.fhir.monitoring;

import java.util.Arrays;
import java.util.Optional;

/** The anomaly rules, their codes ({@code terminology/CodeSystem-sas-alert-rule.json}) and their severity. */
public enum AlertRule {
	UNREACHABLE("unreachable", "Endpoint unreachable or timing out on every call",
			"point d'accès injoignable ou hors délai à chaque appel", Severity.BLOCKING),
	ERROR_RATE("error-rate", "Error or time-out rate over the threshold", "taux d'erreurs ou de dépassements de délai au-delà du seuil",
			Severity.MAJOR),
	LATENCY("latency", "p95 latency over the time budget", "p95 des temps de réponse au-delà du budget", Severity.MAJOR),
	INVALID_ANSWERS("invalid-answers", "Invalid answers or dropped entries over the threshold",
			"réponses invalides ou entrées écartées au-delà du seuil", Severity.MINOR),
	CERTIFICATE_EXPIRY("certificate-expiry", "Server certificate expiring soon", "certificat serveur bientôt expiré", Severity.MINOR),
	WRITES_STOPPED("writes-stopped", "Pushed slots stopped arriving", "les créneaux poussés n'arrivent plus", Severity.MAJOR),
	WRITES_REFUSED("writes-refused", "Pushed slots mostly refused", "créneaux poussés refusés pour la plupart", Severity.MAJOR);

	public static final String SYSTEM = "https://sas-fhir-server.example/fhir/CodeSystem/sas-alert-rule";

	private final String code;
	private final String display;
	private final String label;
	private final Severity severity;

	AlertRule(String code, String display, String label, Severity severity) {
		this.code = code;
		this.display = display;
		this.label = label;
		this.severity = severity;
	}

	public String code() {
		return code;
	}

	public String display() {
		return display;
	}

	/** What the rule says, in French: the operators read the alert's detail on a French page. */
	public String label() {
		return label;
	}

	public Severity severity() {
		return severity;
	}

	public static Optional<AlertRule> ofCode(String code) {
		return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst();
	}
}
