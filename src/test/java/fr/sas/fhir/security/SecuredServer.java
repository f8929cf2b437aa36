package fr.sas.fhir.security;

import fr.sas.fhir.support.TestPki;
import fr.sas.fhir.SasFhirServerApplication;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.RawHttp;
import fr.sas.fhir.support.TestClock;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The server as it is deployed: HTTPS with client certificates of a test authority (want), the registered
 * clients below, bearer tokens of a test OpenID provider. Subclasses choose the database.
 */
@SpringBootTest(classes = SasFhirServerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestClock.Config.class)
abstract class SecuredServer {

	/** Subjects as IGC-Santé issues them: spaces and accents are part of the name. */
	static final String PUBLISHER_A = "CN=Éditeur Alpha Santé,OU=Logiciels de rendez-vous,O=Alpha,C=FR";
	static final String PUBLISHER_B = "CN=Éditeur Bêta,OU=Logiciels de rendez-vous,O=Beta,C=FR";
	static final String PLATFORM = "CN=Plateforme SAS,OU=ANS,O=ANS,C=FR";
	static final String LRM = "CN=LRM SAMU 35,OU=Regulation,O=SAMU 35,C=FR";
	static final String ADMIN = "CN=Exploitation SAS,OU=Exploitation,O=ANS,C=FR";

	static final TestPki PKI = new TestPki("Test IGC-Sante");
	static final TestPki STRANGER = new TestPki("Autre autorite");
	static final TestTokens TOKENS = new TestTokens();
	static final Path DIR = tempDir();
	/** A certificate of publisher A revoked from the start; the authority's list, which tests add to. */
	static final TestPki.Issued REVOKED = PKI.valid(PUBLISHER_A);
	static final Path CRL = DIR.resolve("ca.crl");
	private static final java.util.List<TestPki.Issued> REVOCATIONS = new java.util.ArrayList<>(java.util.List.of(REVOKED));

	/** Adds {@code issued} to the authority's revocation list, rewritten in place (the servers watch the file). */
	static synchronized void revoke(TestPki.Issued issued) throws Exception {
		REVOCATIONS.add(issued);
		PKI.revocationList(CRL, REVOCATIONS.toArray(TestPki.Issued[]::new));
	}

	@LocalServerPort
	int port;

	@org.springframework.beans.factory.annotation.Autowired
	io.micrometer.core.instrument.MeterRegistry meters;

	static void secured(DynamicPropertyRegistry registry) throws Exception {
		TestPki.Issued server = PKI.valid("CN=localhost,O=Tests");
		String keyStore = path(PKI.keyStore(DIR, "server.p12", server));
		String trustStore = path(PKI.trustStore(DIR, "trust.p12"));
		registry.add("server.ssl.enabled", () -> "true");
		registry.add("sas.acceptance.enabled", () -> "true"); // $acceptance: its row of the role matrix
		registry.add("server.ssl.key-store", () -> keyStore);
		registry.add("server.ssl.key-store-password", () -> new String(TestPki.PASSWORD));
		registry.add("server.ssl.key-store-type", () -> "PKCS12");
		registry.add("server.ssl.trust-store", () -> trustStore);
		registry.add("server.ssl.trust-store-password", () -> new String(TestPki.PASSWORD));
		registry.add("server.ssl.trust-store-type", () -> "PKCS12");
		registry.add("server.ssl.client-auth", () -> "want");
		registry.add("server.ssl.enabled-protocols", () -> "TLSv1.2,TLSv1.3");
		PKI.revocationList(CRL, REVOCATIONS.toArray(TestPki.Issued[]::new));
		registry.add("sas.security.crl-file", CRL::toString);
		registry.add("sas.security.crl-refresh", () -> "200ms");
		client(registry, 0, "editeur-alpha", "PUBLISHER", "Éditeur Alpha Santé", "Logiciels de rendez-vous");
		client(registry, 1, "editeur-beta", "PUBLISHER", "Éditeur Bêta", "Logiciels de rendez-vous");
		client(registry, 2, "plateforme-sas", "PLATFORM", "Plateforme SAS", "ANS");
		client(registry, 3, "lrm-samu35", "LRM", "LRM SAMU 35", "Regulation");
		client(registry, 4, "exploitation", "ADMIN", "Exploitation SAS", "Exploitation");
		registry.add("sas.security.clients[3].samu", () -> SAMU_35);
		// Appointments are routed (and their messages recorded) to a broker that is not there: the LRM's scope.
		registry.add("sas.transmission.enabled", () -> "true");
		registry.add("sas.transmission.routes.35", () -> SAMU_35);
		registry.add("sas.transmission.routes.44", () -> "fr.health.samu440");
		registry.add("spring.rabbitmq.port", () -> "1"); // a privileged port nothing listens on: refused at once
		registry.add("sas.security.client-header", () -> "X-Client-Subject");
		registry.add("sas.security.trusted-proxies", () -> "10.255.255.1");
		registry.add("sas.security.oidc.issuer", () -> TestTokens.ISSUER);
		registry.add("sas.security.oidc.jwk-set-uri", TOKENS::jwkSetUri);
		registry.add("sas.security.oidc.audiences", () -> TestTokens.AUDIENCE);
		registry.add("sas.security.oidc.regulator-roles", () -> "REGULATEUR");
		registry.add("sas.security.oidc.analyst-roles", () -> "ANALYSTE");
		registry.add("sas.security.max-transaction-entries", () -> "50");
		registry.add("sas.security.rate-limits.REGULATOR.per-second", () -> "1");
		registry.add("sas.security.rate-limits.REGULATOR.burst", () -> "10");
	}

	private static void client(DynamicPropertyRegistry registry, int i, String id, String role, String cn, String ou) {
		String prefix = "sas.security.clients[" + i + "].";
		registry.add(prefix + "id", () -> id);
		registry.add(prefix + "role", () -> role);
		registry.add(prefix + "common-name", () -> cn);
		registry.add(prefix + "organizational-unit", () -> ou);
	}

	/** A client presenting a certificate of the test authority for {@code subject}. */
	FhirHttp certificate(String subject) {
		return over(PKI, PKI.valid(subject));
	}

	FhirHttp over(TestPki trusting, TestPki.Issued certificate) {
		try {
			HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
					.sslContext(PKI.clientContextPresenting(certificate)).build();
			return new FhirHttp(client, "https://localhost:" + port + "/fhir", "application/fhir+json");
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/**
	 * A POST over TLS as publisher A that announces a body of {@code declared} bytes and sends none: what the server
	 * answers before reading a body (a client writing 11 MB regardless may see the connection closed first).
	 */
	FhirHttp.Response announcing(String path, long declared) {
		try {
			RawHttp.Response answer = new RawHttp("https://localhost:" + port + "/fhir",
					PKI.clientContextPresenting(PKI.valid(PUBLISHER_A)).getSocketFactory())
					.announce("POST", path, declared, "Content-Type: application/fhir+json");
			return new FhirHttp.Response(answer.status(), answer.body(), null);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	FhirHttp anonymous() {
		return over(PKI, null);
	}

	FhirHttp bearer(String token) {
		return anonymous().with("Authorization", "Bearer " + token);
	}

	static TestPki.Issued expired(String subject) {
		return PKI.issue(subject, Instant.now().minus(Duration.ofDays(20)), Instant.now().minus(Duration.ofDays(1)));
	}

	static final String SAMU_35 = "fr.health.samu350";

	private static String path(Path path) {
		return path.toString();
	}

	private static Path tempDir() {
		try {
			return Files.createTempDirectory("sas-secured-test");
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
