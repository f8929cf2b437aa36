package fr.sas.fhir.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code sas.security.*}: who may call this server and how it recognises them. Every key is in the README. */
@ConfigurationProperties("sas.security")
public class SecurityProperties {

	/**
	 * Header a TLS-terminating reverse proxy sets with the verified client certificate's subject (or a registered
	 * client id); accepted only from {@link #trustedProxies}. Empty: only certificates this server verifies count.
	 */
	private String clientHeader = "";
	/** Former name of {@link #clientHeader}, still read. */
	private String publisherHeader = "";
	/** Addresses the client header is accepted from (exact IP addresses). */
	private List<String> trustedProxies = new ArrayList<>(List.of("127.0.0.1", "0:0:0:0:0:0:0:1"));
	/** The registered clients: a certificate subject (CN and OU, exact) to a client id and a role. */
	private List<Client> clients = new ArrayList<>();
	private final Oidc oidc = new Oidc();
	/** Requests a second and burst by role; a role absent or at 0: not limited. */
	private Map<Role, Limit> rateLimits = new EnumMap<>(Map.of(
			Role.PUBLISHER, new Limit(50, 200), Role.PLATFORM, new Limit(200, 400), Role.LRM, new Limit(50, 100),
			Role.REGULATOR, new Limit(10, 30), Role.ANALYST, new Limit(10, 20), Role.ADMIN, new Limit(20, 50)));
	/** Requests a second and burst of an anonymous address (metadata and health are all it may reach). */
	private Limit anonymousRateLimit = new Limit(5, 20);
	/**
	 * With no trust store, no token issuer and no client registered, and bound to the loopback address only, serve
	 * without authentication for local trials (said in a start-up warning and a response header).
	 */
	private boolean localTrial = true;

	public String getClientHeader() {
		return clientHeader.isBlank() ? publisherHeader : clientHeader;
	}

	public void setClientHeader(String clientHeader) {
		this.clientHeader = clientHeader == null ? "" : clientHeader.trim();
	}

	public String getPublisherHeader() {
		return publisherHeader;
	}

	public void setPublisherHeader(String publisherHeader) {
		this.publisherHeader = publisherHeader == null ? "" : publisherHeader.trim();
	}

	public List<String> getTrustedProxies() {
		return trustedProxies;
	}

	public void setTrustedProxies(List<String> trustedProxies) {
		this.trustedProxies = trustedProxies;
	}

	public List<Client> getClients() {
		return clients;
	}

	public void setClients(List<Client> clients) {
		this.clients = clients;
	}

	public Oidc getOidc() {
		return oidc;
	}

	public Map<Role, Limit> getRateLimits() {
		return rateLimits;
	}

	public void setRateLimits(Map<Role, Limit> rateLimits) {
		this.rateLimits = rateLimits;
	}

	public Limit getAnonymousRateLimit() {
		return anonymousRateLimit;
	}

	public void setAnonymousRateLimit(Limit anonymousRateLimit) {
		this.anonymousRateLimit = anonymousRateLimit;
	}

	/** A token bucket's rate (requests a second) and burst. */
	public static class Limit {
		private double perSecond;
		private double burst;

		public Limit() {}

		Limit(double perSecond, double burst) {
			this.perSecond = perSecond;
			this.burst = burst;
		}

		public double getPerSecond() {
			return perSecond;
		}

		public void setPerSecond(double perSecond) {
			this.perSecond = perSecond;
		}

		public double getBurst() {
			return burst;
		}

		public void setBurst(double burst) {
			this.burst = burst;
		}
	}

	/** Most entries in one transaction or batch ({@link RequestLimits}). */
	private int maxTransactionEntries = 5000;
	/**
	 * The certificate authority's revocation list (PEM or DER, one file, several lists allowed): a client
	 * certificate it revokes fails the TLS handshake. Empty: no revocation check.
	 */
	private String crlFile = "";
	/** How often the revocation list's file is looked at; a changed file is taken at once, without a restart. */
	private java.time.Duration crlRefresh = java.time.Duration.ofMinutes(10);

	public String getCrlFile() {
		return crlFile;
	}

	public void setCrlFile(String crlFile) {
		this.crlFile = crlFile;
	}

	public java.time.Duration getCrlRefresh() {
		return crlRefresh;
	}

	public void setCrlRefresh(java.time.Duration crlRefresh) {
		this.crlRefresh = crlRefresh;
	}

	public int getMaxTransactionEntries() {
		return maxTransactionEntries;
	}

	public void setMaxTransactionEntries(int maxTransactionEntries) {
		this.maxTransactionEntries = maxTransactionEntries;
	}

	/**
	 * Spring Security's observations: a span and timers around each of its filters and each authorization, for a
	 * tracing backend; off by default (6 % of a guide search's CPU, and this server exports no traces).
	 */
	private boolean observations = false;

	public boolean isObservations() {
		return observations;
	}

	public void setObservations(boolean observations) {
		this.observations = observations;
	}

	/** The audit trail ({@link AuditTrail}); off only to measure what it costs. */
	private boolean audit = true;

	public boolean isAudit() {
		return audit;
	}

	public void setAudit(boolean audit) {
		this.audit = audit;
	}

	public boolean isLocalTrial() {
		return localTrial;
	}

	public void setLocalTrial(boolean localTrial) {
		this.localTrial = localTrial;
	}

	/** One registered client. */
	public static class Client {
		/** The client id: the ownership tag of a publisher's resources, the audit trail's "who". */
		private String id;
		private Role role;
		/** The certificate subject's Common Name, exactly as IGC-Santé issues it. */
		private String commonName;
		/** The certificate subject's Organizational Unit; empty: the certificate must have none. */
		private String organizationalUnit = "";
		/**
		 * An LRM's SAMU (its Hub client id, {@code fr.health.samu350}): it reads only the appointments sent to that
		 * SAMU. Empty: every appointment.
		 */
		private String samu = "";

		public String getSamu() {
			return samu;
		}

		public void setSamu(String samu) {
			this.samu = samu == null ? "" : samu.trim();
		}

		public String getId() {
			return id;
		}

		public void setId(String id) {
			this.id = id;
		}

		public Role getRole() {
			return role;
		}

		public void setRole(Role role) {
			this.role = role;
		}

		public String getCommonName() {
			return commonName;
		}

		public void setCommonName(String commonName) {
			this.commonName = commonName;
		}

		public String getOrganizationalUnit() {
			return organizationalUnit;
		}

		public void setOrganizationalUnit(String organizationalUnit) {
			this.organizationalUnit = organizationalUnit == null ? "" : organizationalUnit;
		}
	}

	/** Bearer tokens of an OpenID Connect provider (Pro Santé Connect for health professionals). */
	public static class Oidc {
		/** The issuer ({@code iss}) tokens must name; empty: no token is accepted. */
		private String issuer = "";
		/** The issuer's key set; empty: {@code <issuer>/protocol/openid-connect/certs} is not guessed, it is required. */
		private String jwkSetUri = "";
		/** Audiences ({@code aud}) of which a token must name one. */
		private List<String> audiences = new ArrayList<>();
		private Duration clockSkew = Duration.ofSeconds(30);
		/** The claim holding the person's national identifier. */
		private String nationalIdClaim = "SubjectNameID";
		/** The claim holding the person's roles (a string or a list of strings). */
		private String roleClaim = "SubjectRole";
		/** Values of the role claim that make a regulator. */
		private List<String> regulatorRoles = new ArrayList<>();
		/** Values of the role claim that make an analyst. */
		private List<String> analystRoles = new ArrayList<>();

		public boolean isEnabled() {
			return !issuer.isBlank();
		}

		public String getIssuer() {
			return issuer;
		}

		public void setIssuer(String issuer) {
			this.issuer = issuer == null ? "" : issuer.trim();
		}

		public String getJwkSetUri() {
			return jwkSetUri;
		}

		public void setJwkSetUri(String jwkSetUri) {
			this.jwkSetUri = jwkSetUri == null ? "" : jwkSetUri.trim();
		}

		public List<String> getAudiences() {
			return audiences;
		}

		public void setAudiences(List<String> audiences) {
			this.audiences = audiences;
		}

		public Duration getClockSkew() {
			return clockSkew;
		}

		public void setClockSkew(Duration clockSkew) {
			this.clockSkew = clockSkew;
		}

		public String getNationalIdClaim() {
			return nationalIdClaim;
		}

		public void setNationalIdClaim(String nationalIdClaim) {
			this.nationalIdClaim = nationalIdClaim;
		}

		public String getRoleClaim() {
			return roleClaim;
		}

		public void setRoleClaim(String roleClaim) {
			this.roleClaim = roleClaim;
		}

		public List<String> getRegulatorRoles() {
			return regulatorRoles;
		}

		public void setRegulatorRoles(List<String> regulatorRoles) {
			this.regulatorRoles = regulatorRoles;
		}

		public List<String> getAnalystRoles() {
			return analystRoles;
		}

		public void setAnalystRoles(List<String> analystRoles) {
			this.analystRoles = analystRoles;
		}
	}
}
