package fr.sas.fhir.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.acceptance.ClientCertificateProbe.Identity;
import fr.sas.fhir.publishers.CallOutcome;
import fr.sas.fhir.publishers.ClientCertificates;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublishersProperties;
import fr.sas.fhir.publishers.UseCase;
import fr.sas.fhir.support.PublisherStandIn;
import fr.sas.fhir.support.PublisherStandIn.Answer;
import fr.sas.fhir.support.TestPki;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.hl7.fhir.r4.model.Endpoint;
import org.junit.jupiter.api.Test;

/**
 * The transport probes against local TLS stand-ins (the JDK's HTTPS server with certificates of a test authority made
 * at run time): one that requires a certificate of its authority and checks its revocation list refuses every probe;
 * each laxer one is reported by the probes its laxity lets through; a scripted server choosing SSL 3.0, TLS 1.0 or
 * TLS 1.1 is reported by the TLS-version probe; a probe that cannot reach a verdict is not run, never passed. No Spring context.
 */
class TransportProbesTest {

	static final Path DIR = directory();
	static final TestPki PKI = new TestPki("Transport probes CA");
	static final TestPki OTHER = new TestPki("Another CA");
	static final Instant NOW = Instant.now();
	static final TestPki.Issued SERVER = PKI.issue("CN=localhost,O=Tests", NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(20)));
	static final TestPki.Issued CLIENT = PKI.valid("CN=plateforme-sas,O=Tests");
	static final TestPki.Issued EXPIRED = PKI.issue("CN=expired,O=Tests", NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(1)));
	static final TestPki.Issued REVOKED = PKI.valid("CN=revoked,O=Tests");
	static final X509CRL CRL = crl();

	static final String MUTUAL = "transport.mutual-tls";
	static final String UNKNOWN = "transport.mutual-tls-unknown";
	static final String EXPIRED_ID = "transport.mutual-tls-expired";
	static final String REVOKED_ID = "transport.mutual-tls-revoked";
	static final String TLS = "transport.tls-version";

	// ---------------------------------------------------------------- the strict stand-in and its laxer variants

	@Test
	void aStandInRequiringCertificatesOfItsAuthorityAndCheckingRevocationRefusesEveryProbe() throws Exception {
		try (PublisherStandIn strict = standIn(true, revocationChecking())) {
			Map<String, CheckResult> results = run(probes(), strict.base(), "key", 200);

			assertThat(verdicts(results)).containsExactly(Map.entry(MUTUAL, Verdict.PASS), Map.entry(UNKNOWN, Verdict.PASS),
					Map.entry(EXPIRED_ID, Verdict.PASS), Map.entry(REVOKED_ID, Verdict.PASS), Map.entry(TLS, Verdict.PASS));
			assertThat(results.get(MUTUAL).summary()).containsPattern("^refused a client without certificate: (TLS refused|the server closed)")
					.contains("Proves that the endpoint requires a client certificate");
			assertThat(results.get(UNKNOWN).summary()).contains("self-signed", "issuer CN=sas-acceptance-unknown-client");
			assertThat(results.get(EXPIRED_ID).summary()).contains("CN=expired", "validity dates");
			assertThat(results.get(REVOKED_ID).summary()).contains("CN=revoked", "checks revocation");
			assertThat(results.get(TLS).summary()).contains("SSL 3.0: refused", "TLS 1.0: refused", "TLS 1.1: refused");
			// none of the probes got an answer; the working certificate does: the refusals are the certificates'
			assertThat(strict.calls()).isZero();
			assertThat(ClientCertificateProbe.get(URI.create(strict.base() + "/metadata"), List.of(), identity(CLIENT), trust(PKI),
					Duration.ofSeconds(10)).outcome()).isEqualTo(ClientCertificateProbe.Outcome.SERVED);
			assertThat(strict.clientCertificates()).singleElement().asString().contains("CN=plateforme-sas");
		}
	}

	@Test
	void aStandInNotAskingForACertificateFailsEveryMutualTlsProbe() throws Exception {
		try (PublisherStandIn lax = standIn(false, authorityOnly())) {
			Map<String, CheckResult> results = run(probes(), lax.base(), "key", 200);

			assertThat(verdicts(results)).containsEntry(MUTUAL, Verdict.FAIL).containsEntry(UNKNOWN, Verdict.FAIL)
					.containsEntry(EXPIRED_ID, Verdict.FAIL).containsEntry(REVOKED_ID, Verdict.FAIL).containsEntry(TLS, Verdict.PASS);
			CheckResult mutual = results.get(MUTUAL);
			assertThat(mutual.summary()).contains("was served", "200");
			assertThat(mutual.request()).isEqualTo("GET " + lax.base() + "/metadata presenting a client without certificate");
			assertThat(mutual.expected()).contains("refused");
			assertThat(lax.calls()).isEqualTo(4);
		}
	}

	@Test
	void aStandInAcceptingAnyCertificateFailsTheUnknownExpiredAndRevokedProbes() throws Exception {
		try (PublisherStandIn any = standIn(true, new TrustManager[] {new TrustingAnyClient()})) {
			Map<String, CheckResult> results = run(probes(), any.base(), "key", 200);

			assertThat(verdicts(results)).containsEntry(MUTUAL, Verdict.PASS).containsEntry(UNKNOWN, Verdict.FAIL)
					.containsEntry(EXPIRED_ID, Verdict.FAIL).containsEntry(REVOKED_ID, Verdict.FAIL);
			assertThat(any.clientCertificates()).hasSize(3).satisfiesExactly(c -> assertThat(c).contains("CN=sas-acceptance-unknown-client"),
					c -> assertThat(c).contains("CN=expired"), c -> assertThat(c).contains("CN=revoked"));
		}
	}

	@Test
	void aStandInNotCheckingRevocationFailsTheRevokedProbeOnly() throws Exception {
		try (PublisherStandIn noCrl = standIn(true, authorityOnly())) {
			Map<String, CheckResult> results = run(probes(), noCrl.base(), "key", 200);

			assertThat(verdicts(results)).containsExactly(Map.entry(MUTUAL, Verdict.PASS), Map.entry(UNKNOWN, Verdict.PASS),
					Map.entry(EXPIRED_ID, Verdict.PASS), Map.entry(REVOKED_ID, Verdict.FAIL), Map.entry(TLS, Verdict.PASS));
			assertThat(results.get(REVOKED_ID).summary()).startsWith("a certificate within its validity, revoked by its authority")
					.contains("was served");
		}
	}

	// ---------------------------------------------------------------- TLS versions

	@Test
	void aServerAcceptingSsl30Tls10OrTls11IsReportedByTheTlsVersionCheck() throws Exception {
		int ssl30 = TlsVersionProbe.SSL_3_0;
		int tls10 = TlsVersionProbe.TLS_1_0;
		int tls11 = TlsVersionProbe.TLS_1_1;
		try (OldTlsStandIn upTo11 = new OldTlsStandIn(tls10, tls11);
				OldTlsStandIn only10 = new OldTlsStandIn(tls10, tls10);
				OldTlsStandIn only11 = new OldTlsStandIn(tls11, tls11);
				OldTlsStandIn onlySsl3 = new OldTlsStandIn(ssl30, ssl30);
				OldTlsStandIn modern = new OldTlsStandIn(0x0303, 0x0303)) {
			CheckResult both = run(probes(), upTo11.base(), null, 200).get(TLS);
			assertThat(both.verdict()).isEqualTo(Verdict.FAIL);
			assertThat(both.summary()).startsWith("TLS 1.0, TLS 1.1 accepted");
			assertThat(both.answer()).contains("SSL 3.0: refused, alert protocol_version (70)",
					"TLS 1.0: accepted, ServerHello choosing TLS 1.0", "TLS 1.1: accepted, ServerHello choosing TLS 1.1");
			assertThat(both.expected()).contains("TLS 1.2 or later only");
			assertThat(both.request()).contains("at most SSL 3.0, then at most TLS 1.0, then at most TLS 1.1");

			// each old version alone is enough to fail the check, named in its summary
			CheckResult onlyTls10 = run(probes(), only10.base(), null, 200).get(TLS);
			assertThat(onlyTls10.verdict()).isEqualTo(Verdict.FAIL);
			assertThat(onlyTls10.summary()).startsWith("TLS 1.0 accepted (SSL 3.0: refused");

			CheckResult onlyTls11 = run(probes(), only11.base(), null, 200).get(TLS);
			assertThat(onlyTls11.verdict()).isEqualTo(Verdict.FAIL);
			assertThat(onlyTls11.summary()).startsWith("TLS 1.1 accepted (SSL 3.0: refused");
			assertThat(onlyTls11.answer()).contains("TLS 1.0: refused, alert protocol_version (70)");

			// an SSL 3.0 server answers every hello in SSL 3.0: the check names the version it chose
			CheckResult onlySsl30 = run(probes(), onlySsl3.base(), null, 200).get(TLS);
			assertThat(onlySsl30.verdict()).isEqualTo(Verdict.FAIL);
			assertThat(onlySsl30.summary()).startsWith("SSL 3.0 accepted (SSL 3.0: accepted, ServerHello choosing SSL 3.0 (0x0300)");
			assertThat(onlySsl30.answer()).contains("TLS 1.1: accepted, ServerHello choosing SSL 3.0");

			// the same scripted server refusing them: the probe reads a refusal as one
			CheckResult refused = run(probes(), modern.base(), null, 200).get(TLS);
			assertThat(refused.verdict()).isEqualTo(Verdict.PASS);
			assertThat(refused.summary()).contains("SSL 3.0: refused, alert protocol_version (70)",
					"TLS 1.0: refused, alert protocol_version (70)", "TLS 1.1: refused, alert protocol_version (70)");
		}
	}

	@Test
	void theSsl30HelloIsAnSsl30RecordOfferingAtMostSsl30() {
		byte[] hello = TlsVersionProbe.clientHello("publisher.example", TlsVersionProbe.SSL_3_0);
		assertThat(hello[0]).as("a handshake record").isEqualTo((byte) 22);
		assertThat(new byte[] {hello[1], hello[2]}).as("record version 3.0").containsExactly(3, 0);
		assertThat(hello[5]).as("a ClientHello").isEqualTo((byte) 1);
		assertThat(new byte[] {hello[9], hello[10]}).as("client_version 3.0").containsExactly(3, 0);
		byte[] tls11 = TlsVersionProbe.clientHello("publisher.example", TlsVersionProbe.TLS_1_1);
		assertThat(new byte[] {tls11[1], tls11[2], tls11[9], tls11[10]}).containsExactly(3, 1, 3, 2);
	}

	// ---------------------------------------------------------------- no verdict: not run, never passed

	@Test
	void probesThatCannotReachAVerdictAreNotRunNeverPassed() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		Map<String, CheckResult> unreachable = run(probes(), "https://localhost:" + closedPort + "/fhir", "key", 200);
		assertThat(unreachable.values()).allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.SKIPPED))
				.allSatisfy(r -> assertThat(r.summary()).contains("could not connect"));

		try (PublisherStandIn strict = standIn(true, revocationChecking())) {
			assertThat(run(probes(), strict.base(), null, 200)).allSatisfy((id, r) -> {
				if (!id.equals(TLS)) {
					assertThat(r.verdict()).isEqualTo(Verdict.SKIPPED);
					assertThat(r.summary()).contains("not run: no client certificate given");
				}
			});
			assertThat(run(probes(), strict.base(), "key", 503).get(MUTUAL).summary()).contains("not run", "was not served");

			// our side not trusting the server's certificate: the handshake fails, but not by the server's doing
			PublishersProperties otherTrust = publishers();
			otherTrust.setTrustStore(OTHER.trustStore(DIR, "other-trust.p12").toString());
			Map<String, CheckResult> untrusted = run(new TransportProbes(otherTrust, new ClientCertificates(otherTrust),
					acceptance(), Clock.systemUTC()), strict.base(), "key", 200);
			assertThat(untrusted.get(MUTUAL).verdict()).isEqualTo(Verdict.SKIPPED);
			assertThat(untrusted.get(MUTUAL).summary()).contains("our side did not trust the server's certificate");

			// an "expired" certificate still valid, a "revoked" one expired: each would prove nothing
			AcceptanceProperties swapped = acceptance();
			swapped.setExpiredCertificate(PKI.keyStore(DIR, "not-expired.p12", REVOKED).toString());
			swapped.setRevokedCertificate(PKI.keyStore(DIR, "expired-as-revoked.p12", EXPIRED).toString());
			Map<String, CheckResult> misgiven = run(new TransportProbes(publishers(), new ClientCertificates(publishers()), swapped,
					Clock.systemUTC()), strict.base(), "key", 200);
			assertThat(misgiven.get(EXPIRED_ID).summary()).startsWith("not run: the certificate given as expired is valid until");
			assertThat(misgiven.get(REVOKED_ID).summary()).startsWith("not run: the certificate given as revoked is outside its validity");

			// a revoked certificate of another authority: refused, but perhaps for its issuer
			AcceptanceProperties foreign = acceptance();
			foreign.setRevokedCertificate(OTHER.keyStore(DIR, "foreign.p12", OTHER.valid("CN=foreign,O=Tests")).toString());
			CheckResult inconclusive = run(new TransportProbes(publishers(), new ClientCertificates(publishers()), foreign,
					Clock.systemUTC()), strict.base(), "key", 200).get(REVOKED_ID);
			assertThat(inconclusive.verdict()).isEqualTo(Verdict.SKIPPED);
			assertThat(inconclusive.summary()).startsWith("inconclusive (not a pass)").contains("may be for its issuer");

			// none given: not run, with what only the authority can do
			AcceptanceProperties none = new AcceptanceProperties();
			Map<String, CheckResult> notGiven = run(new TransportProbes(publishers(), new ClientCertificates(publishers()), none,
					Clock.systemUTC()), strict.base(), "key", 200);
			assertThat(notGiven.get(EXPIRED_ID).summary()).startsWith("not run: no expired certificate");
			assertThat(notGiven.get(REVOKED_ID).summary()).startsWith("not run: no revoked certificate");
		}
	}

	@Test
	void theUnknownCertificateIsSelfSignedWithinItsDates() throws Exception {
		SelfSignedCertificate made = SelfSignedCertificate.make("CN=probe,O=Tests", NOW.minusSeconds(60), NOW.plusSeconds(3600));

		made.certificate().verify(made.keys().getPublic());
		made.certificate().checkValidity();
		assertThat(made.certificate().getIssuerX500Principal()).isEqualTo(made.certificate().getSubjectX500Principal());
		assertThat(made.certificate().getVersion()).isEqualTo(3);
	}

	// ---------------------------------------------------------------- helpers

	static Map<String, CheckResult> run(TransportProbes probes, String base, String alias, int referenceStatus) {
		PublisherEndpoint endpoint = new PublisherEndpoint("probes", "1", "test", URI.create(base), EnumSet.allOf(UseCase.class),
				Endpoint.EndpointStatus.ACTIVE, "recette", Duration.ofSeconds(10), alias, "tests", null, null, List.of());
		PublisherCall reference = new PublisherCall(endpoint, null, endpoint.url("metadata"), NOW, Duration.ZERO,
				referenceStatus == 200 ? CallOutcome.ANSWERED : CallOutcome.HTTP_ERROR, referenceStatus, null, new byte[0], null, null,
				null);
		Map<String, CheckResult> results = new LinkedHashMap<>();
		probes.run(endpoint, reference).results().forEach(r -> results.put(r.check().id(), r));
		return results;
	}

	static Map<String, Verdict> verdicts(Map<String, CheckResult> results) {
		Map<String, Verdict> verdicts = new LinkedHashMap<>();
		results.forEach((id, r) -> verdicts.put(id, r.verdict()));
		return verdicts;
	}

	static TransportProbes probes() {
		return new TransportProbes(publishers(), new ClientCertificates(publishers()), acceptance(), Clock.systemUTC());
	}

	static PublishersProperties publishers() {
		try {
			PublishersProperties properties = new PublishersProperties();
			properties.setKeyStore(PKI.keyStore(DIR, "client.p12", CLIENT).toString());
			properties.setKeyStorePassword(new String(TestPki.PASSWORD));
			properties.setTrustStore(PKI.trustStore(DIR, "trust.p12").toString());
			properties.setTrustStorePassword(new String(TestPki.PASSWORD));
			return properties;
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static AcceptanceProperties acceptance() {
		try {
			AcceptanceProperties properties = new AcceptanceProperties();
			properties.setCallBudget(Duration.ofSeconds(10));
			properties.setExpiredCertificate(PKI.keyStore(DIR, "expired.p12", EXPIRED).toString());
			properties.setExpiredCertificatePassword(new String(TestPki.PASSWORD));
			properties.setRevokedCertificate(PKI.keyStore(DIR, "revoked.p12", REVOKED).toString());
			properties.setRevokedCertificatePassword(new String(TestPki.PASSWORD));
			return properties;
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static Identity identity(TestPki.Issued issued) {
		return new Identity(issued.key(), issued.chain());
	}

	static X509ExtendedTrustManager trust(TestPki pki) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setCertificateEntry("ca", pki.certificate);
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(store);
		return (X509ExtendedTrustManager) factory.getTrustManagers()[0];
	}

	/** An HTTPS stand-in answering metadata, with this authority's server certificate and the client trust given. */
	static PublisherStandIn standIn(boolean needClientAuth, TrustManager[] clientTrust) throws Exception {
		KeyStore keys = KeyStore.getInstance("PKCS12");
		keys.load(null, null);
		keys.setKeyEntry("server", SERVER.key(), TestPki.PASSWORD, SERVER.chain());
		KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		kmf.init(keys, TestPki.PASSWORD);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(kmf.getKeyManagers(), clientTrust, null);
		return PublisherStandIn.https(context, needClientAuth,
				target -> Answer.json("{\"resourceType\":\"CapabilityStatement\",\"status\":\"active\"}"));
	}

	/** Client certificates of the test authority, within their dates. */
	static TrustManager[] authorityOnly() throws Exception {
		return new TrustManager[] {trust(PKI)};
	}

	/** Client certificates of the test authority, within their dates and not in its revocation list. */
	static TrustManager[] revocationChecking() throws Exception {
		PKIXBuilderParameters parameters = new PKIXBuilderParameters(Set.of(new TrustAnchor(PKI.certificate, null)),
				new X509CertSelector());
		parameters.setRevocationEnabled(true); // per context: no security property changed
		parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(CRL))));
		TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
		factory.init(new CertPathTrustManagerParameters(parameters));
		return factory.getTrustManagers();
	}

	static Path directory() {
		try {
			return Files.createTempDirectory("sas-transport-probes");
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	static X509CRL crl() {
		try (InputStream in = Files.newInputStream(PKI.revocationList(DIR.resolve("ca.crl"), REVOKED))) {
			return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/** A lax server: any client certificate will do. */
	static final class TrustingAnyClient extends javax.net.ssl.X509ExtendedTrustManager {
		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}
	}
}
