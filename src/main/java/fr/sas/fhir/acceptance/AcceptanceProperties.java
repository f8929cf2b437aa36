package fr.sas.fhir.acceptance;

import java.time.Duration;
import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code sas.acceptance.*}: the connected acceptance of a publisher's endpoint. */
@ConfigurationProperties("sas.acceptance")
public class AcceptanceProperties {

	/** The {@code $acceptance} operation on Endpoint (administrators); the command line works without it. */
	private boolean enabled = false;
	/** The searches' window, from now. */
	private Duration window = Duration.ofDays(4);
	/** How far a CPTS slot may start from now (the guide's 48 h). */
	private Duration cptsWindow = Duration.ofHours(48);
	/** How many times the 25-practitioner search is repeated for the answer-time figures (p50, p95). */
	private int series = 20;
	/** The time budget of one call (beyond the platform's 7 s, so that a slow answer is measured, not cut). */
	private Duration callBudget = Duration.ofSeconds(10);
	/** The zone of the windows' bounds ({@code ge}/{@code le} carry its offset). */
	private ZoneId zone = ZoneId.of("Europe/Paris");
	/** An expired client certificate of the endpoint's authority (PKCS#12), for transport.mutual-tls-expired; empty: not run. */
	private String expiredCertificate = "";
	private String expiredCertificatePassword = "";
	/** A revoked client certificate of the endpoint's authority (PKCS#12), for transport.mutual-tls-revoked; empty: not run. */
	private String revokedCertificate = "";
	private String revokedCertificatePassword = "";

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getWindow() {
		return window;
	}

	public void setWindow(Duration window) {
		this.window = window;
	}

	public Duration getCptsWindow() {
		return cptsWindow;
	}

	public void setCptsWindow(Duration cptsWindow) {
		this.cptsWindow = cptsWindow;
	}

	public int getSeries() {
		return series;
	}

	public void setSeries(int series) {
		this.series = series;
	}

	public Duration getCallBudget() {
		return callBudget;
	}

	public void setCallBudget(Duration callBudget) {
		this.callBudget = callBudget;
	}

	public ZoneId getZone() {
		return zone;
	}

	public void setZone(ZoneId zone) {
		this.zone = zone;
	}

	public String getExpiredCertificate() {
		return expiredCertificate;
	}

	public void setExpiredCertificate(String expiredCertificate) {
		this.expiredCertificate = expiredCertificate == null ? "" : expiredCertificate;
	}

	public String getExpiredCertificatePassword() {
		return expiredCertificatePassword;
	}

	public void setExpiredCertificatePassword(String expiredCertificatePassword) {
		this.expiredCertificatePassword = expiredCertificatePassword == null ? "" : expiredCertificatePassword;
	}

	public String getRevokedCertificate() {
		return revokedCertificate;
	}

	public void setRevokedCertificate(String revokedCertificate) {
		this.revokedCertificate = revokedCertificate == null ? "" : revokedCertificate;
	}

	public String getRevokedCertificatePassword() {
		return revokedCertificatePassword;
	}

	public void setRevokedCertificatePassword(String revokedCertificatePassword) {
		this.revokedCertificatePassword = revokedCertificatePassword == null ? "" : revokedCertificatePassword;
	}
}
