package fr.sas.fhir.acceptance;

import fr.sas.fhir.acceptance.ClientCertificateProbe.Identity;
import fr.sas.fhir.publishers.ClientCertificates;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublishersProperties;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The transport probes of an https endpoint, each its own connection: SSL 3.0, TLS 1.0 and TLS 1.1 offered alone
 * ({@link TlsVersionProbe}), and {@code GET metadata} presenting no certificate, an unknown one, an expired one and a
 * revoked one ({@link ClientCertificateProbe}). A probe that could not reach a verdict is skipped with why, never
 * passed; every verdict says what the probe proves.
 */
public class TransportProbes {

	/** The probes' verdicts and how many connections they opened (the report's request count). */
	record Outcome(List<CheckResult> results, int connections) {}

	private static final String REFUSAL = "the TLS handshake refused (an alert, the connection closed), or 400/401/403";

	private final ClientCertificates certificates;
	private final AcceptanceProperties properties;
	private final Clock clock;
	private final X509ExtendedTrustManager trust;

	public TransportProbes(PublishersProperties publishers, ClientCertificates certificates, AcceptanceProperties properties,
			Clock clock) {
		this.certificates = certificates;
		this.properties = properties;
		this.clock = clock;
		this.trust = ProbeIdentities.trust(publishers.getTrustStore(), publishers.getTrustStoreType(),
				publishers.getTrustStorePassword());
	}

	/** The probes of {@code endpoint} (https); {@code reference}: its metadata call with the working certificate. */
	Outcome run(PublisherEndpoint endpoint, PublisherCall reference) {
		List<CheckResult> results = new ArrayList<>();
		int[] connections = {0};
		mutualTls(endpoint, reference, results, connections);
		results.add(tlsVersion(endpoint, connections));
		return new Outcome(List.copyOf(results), connections[0]);
	}

	private void mutualTls(PublisherEndpoint endpoint, PublisherCall reference, List<CheckResult> results, int[] connections) {
		List<Check> checks = List.of(Checks.TRANSPORT_MUTUAL_TLS, Checks.TRANSPORT_MUTUAL_TLS_UNKNOWN,
				Checks.TRANSPORT_MUTUAL_TLS_EXPIRED, Checks.TRANSPORT_MUTUAL_TLS_REVOKED);
		if (endpoint.certificateAlias() == null) {
			checks.forEach(c -> results.add(c.skip("not run: no client certificate given, mutual TLS not checked")));
			return;
		}
		if (reference.status() != 200) {
			// Without a call that is served, a refusal would not show that the certificate was the reason.
			checks.forEach(c -> results.add(c.skip("not run: GET metadata with the client certificate was not served ("
					+ reference.describe() + ")")));
			return;
		}
		Probe probe = new Probe(endpoint, connections);
		results.add(probe.run(Checks.TRANSPORT_MUTUAL_TLS, Identity.NONE, "a client without certificate",
				"the endpoint requires a client certificate"));
		Instant now = clock.instant();
		SelfSignedCertificate unknown = SelfSignedCertificate.make("CN=sas-acceptance-unknown-client,O=SAS acceptance probe",
				now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
		results.add(probe.run(Checks.TRANSPORT_MUTUAL_TLS_UNKNOWN,
				new Identity(unknown.keys().getPrivate(), new X509Certificate[] {unknown.certificate()}),
				"a self-signed certificate made for this run, of no authority: " + ProbeIdentities.describe(unknown.certificate()),
				"the endpoint checks who issued a client certificate, not only that one is presented"));
		X509Certificate working = certificates.certificate(endpoint.certificateAlias());
		results.add(expired(probe, working, now));
		results.add(revoked(probe, working, now));
	}

	private CheckResult expired(Probe probe, X509Certificate working, Instant now) {
		Check check = Checks.TRANSPORT_MUTUAL_TLS_EXPIRED;
		if (properties.getExpiredCertificate().isBlank()) {
			return check.skip("not run: no expired certificate of the endpoint's authority given (sas.acceptance.expired-certificate): "
					+ "only that authority can issue one the endpoint would otherwise accept");
		}
		Identity identity;
		try {
			identity = ProbeIdentities.read(properties.getExpiredCertificate(), properties.getExpiredCertificatePassword());
		} catch (Exception e) {
			return check.skip("not run: sas.acceptance.expired-certificate unreadable: " + e.getMessage());
		}
		X509Certificate certificate = identity.chain()[0];
		if (!certificate.getNotAfter().toInstant().isBefore(now)) {
			return check.skip("not run: the certificate given as expired is valid until " + certificate.getNotAfter().toInstant());
		}
		return sameAuthority(probe.run(check, identity, "an expired certificate: " + ProbeIdentities.describe(certificate),
				"the endpoint checks a client certificate's validity dates"), certificate, working);
	}

	private CheckResult revoked(Probe probe, X509Certificate working, Instant now) {
		Check check = Checks.TRANSPORT_MUTUAL_TLS_REVOKED;
		if (properties.getRevokedCertificate().isBlank()) {
			return check.skip("not run: no revoked certificate of the endpoint's authority given (sas.acceptance.revoked-certificate): "
					+ "only that authority can revoke one");
		}
		Identity identity;
		try {
			identity = ProbeIdentities.read(properties.getRevokedCertificate(), properties.getRevokedCertificatePassword());
		} catch (Exception e) {
			return check.skip("not run: sas.acceptance.revoked-certificate unreadable: " + e.getMessage());
		}
		X509Certificate certificate = identity.chain()[0];
		if (certificate.getNotAfter().toInstant().isBefore(now) || certificate.getNotBefore().toInstant().isAfter(now)) {
			// Refused for its dates, it would say nothing of a revocation check.
			return check.skip("not run: the certificate given as revoked is outside its validity (" + ProbeIdentities.describe(certificate)
					+ ")");
		}
		return sameAuthority(probe.run(check, identity, "a certificate within its validity, revoked by its authority: "
				+ ProbeIdentities.describe(certificate), "the endpoint checks revocation (its authority's CRL or OCSP)"),
				certificate, working);
	}

	/** A refusal of a certificate of another authority than the working one may be for its issuer: not a pass. */
	private static CheckResult sameAuthority(CheckResult result, X509Certificate probed, X509Certificate working) {
		if (result.verdict() != Verdict.PASS || working == null
				|| probed.getIssuerX500Principal().equals(working.getIssuerX500Principal())) {
			return result;
		}
		return result.check().skip("inconclusive (not a pass): " + result.summary() + "; but it was issued by "
				+ probed.getIssuerX500Principal().getName() + ", not by the working certificate's authority "
				+ working.getIssuerX500Principal().getName() + ": the refusal may be for its issuer");
	}

	/** The old versions probed, each alone: a server accepting any of them fails {@code transport.tls-version}. */
	static final int[] OLD_VERSIONS = {TlsVersionProbe.SSL_3_0, TlsVersionProbe.TLS_1_0, TlsVersionProbe.TLS_1_1};

	private CheckResult tlsVersion(PublisherEndpoint endpoint, int[] connections) {
		Check check = Checks.TRANSPORT_TLS_VERSION;
		URI address = endpoint.address();
		int port = address.getPort() < 0 ? 443 : address.getPort();
		List<String> seen = new ArrayList<>();
		java.util.SortedSet<Integer> accepted = new java.util.TreeSet<>();
		boolean inconclusive = false;
		for (int version : OLD_VERSIONS) {
			TlsVersionProbe.Result result = TlsVersionProbe.probe(address.getHost(), port, version, properties.getCallBudget());
			connections[0]++;
			String name = TlsVersionProbe.name(version);
			seen.add(name + ": " + result.outcome().name().toLowerCase() + ", " + result.evidence());
			if (result.outcome() == TlsVersionProbe.Outcome.ACCEPTED) {
				accepted.add(result.chosen()); // the version the server chose (an SSL 3.0-only server answers a TLS 1.0 hello in SSL 3.0)
			}
			inconclusive |= result.outcome() == TlsVersionProbe.Outcome.INCONCLUSIVE;
		}
		String evidence = String.join("; ", seen);
		String request = "a ClientHello offering at most SSL 3.0, then at most TLS 1.0, then at most TLS 1.1, to "
				+ address.getHost() + ":" + port;
		if (!accepted.isEmpty()) {
			return check.fail(String.join(", ", accepted.stream().map(TlsVersionProbe::name).toList()) + " accepted (" + evidence + ")",
					request, evidence,
					"an alert (protocol_version) or the connection closed: TLS 1.2 or later only");
		}
		if (inconclusive) {
			return check.skip("inconclusive (not a pass): " + evidence);
		}
		return check.pass(evidence + ". Each a ClientHello offering at most that version, read up to the server's ServerHello, "
				+ "where the version is decided (written by hand: this JVM's TLS stack refuses to offer TLS 1.0/1.1 and has no"
				+ " SSL 3.0)");
	}

	/** One client-certificate probe against the endpoint's metadata, its verdict worded with what it proves. */
	private final class Probe {
		private final PublisherEndpoint endpoint;
		private final URI metadata;
		private final int[] connections;

		Probe(PublisherEndpoint endpoint, int[] connections) {
			this.endpoint = endpoint;
			this.metadata = URI.create(endpoint.url("metadata"));
			this.connections = connections;
		}

		CheckResult run(Check check, Identity identity, String what, String proves) {
			ClientCertificateProbe.Result result = ClientCertificateProbe.get(metadata, endpoint.headers(), identity, trust,
					properties.getCallBudget());
			connections[0]++;
			return switch (result.outcome()) {
				case REFUSED -> check.pass("refused " + what + ": " + result.evidence() + ". Proves that " + proves);
				case SERVED -> check.fail(what + " was served: " + result.evidence(), "GET " + metadata + " presenting " + what,
						result.evidence(), REFUSAL);
				case INCONCLUSIVE -> check.skip("inconclusive (not a pass), " + what + ": " + result.evidence());
			};
		}
	}
}
