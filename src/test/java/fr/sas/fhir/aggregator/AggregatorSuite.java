package fr.sas.fhir.aggregator;

import fr.sas.fhir.support.TestPki;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What the aggregator's test servers share: the aggregator on, the publishers as its only source, short budgets and a
 * quick circuit breaker, and a test authority for the publishers' TLS (their server certificates, this platform's
 * client certificate under the alias {@code platform}).
 */
final class AggregatorSuite {

	static final TestPki PKI = new TestPki("Publishers test CA");
	static final TestPki.Issued PLATFORM = PKI.valid("CN=plateforme-sas,OU=SAS,O=Tests");
	static final TestPki.Issued SERVER = PKI.valid("CN=localhost,O=Tests");
	static final TestPki.Issued EXPIRED_SERVER = PKI.issue("CN=localhost,O=Tests",
			Instant.now().minus(Duration.ofDays(20)), Instant.now().minus(Duration.ofDays(1)));
	static final Duration SEARCH_BUDGET = Duration.ofMillis(4500); // room for a first mutual-TLS handshake on a busy machine, under the endpoints' 7 s
	static final Duration CACHE_TTL = Duration.ofSeconds(3);
	static final Duration BREAKER_OPEN = Duration.ofSeconds(2);
	private static final Path DIR = directory();
	private static final Path KEYS = store(DIR.resolve("platform.p12"), true);
	private static final Path TRUST = store(DIR.resolve("publishers-ca.p12"), false);

	private AggregatorSuite() {}

	/** The settings, as a map: for the registry of a test context, or the command line of a second node. */
	static java.util.Map<String, String> settings() {
		java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
		settings.put("sas.aggregator.enabled", "true");
		settings.put("sas.aggregator.sources", "publishers");
		settings.put("sas.aggregator.search-budget", SEARCH_BUDGET.toMillis() + "ms");
		settings.put("sas.aggregator.contextual-budget", SEARCH_BUDGET.toMillis() + "ms"); // no test bounds it: room for a busy machine
		settings.put("sas.aggregator.routing.full-fan-out-rate", "0");
		settings.put("sas.aggregator.cache.ttl", CACHE_TTL.toMillis() + "ms");
		settings.put("sas.publishers.circuit-breaker.minimum-calls", "3");
		settings.put("sas.publishers.circuit-breaker.sliding-window", "4");
		settings.put("sas.publishers.circuit-breaker.open-duration", BREAKER_OPEN.toMillis() + "ms");
		settings.put("sas.publishers.circuit-breaker.probe-calls", "1");
		settings.put("sas.publishers.key-store", KEYS.toString());
		settings.put("sas.publishers.key-store-password", new String(TestPki.PASSWORD));
		settings.put("sas.publishers.trust-store", TRUST.toString());
		settings.put("sas.publishers.trust-store-password", new String(TestPki.PASSWORD));
		return settings;
	}

	static void properties(DynamicPropertyRegistry registry) {
		settings().forEach((key, value) -> registry.add(key, () -> value));
	}

	static String[] arguments() {
		return settings().entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
	}

	/** The server side of a stand-in over TLS: its certificate, and the authority its clients' certificates have. */
	static SSLContext serverContext(TestPki.Issued certificate) {
		try {
			KeyStore keys = KeyStore.getInstance("PKCS12");
			keys.load(null, null);
			keys.setKeyEntry("server", certificate.key(), TestPki.PASSWORD, certificate.chain());
			KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			kmf.init(keys, TestPki.PASSWORD);
			KeyStore trust = KeyStore.getInstance("PKCS12");
			trust.load(null, null);
			trust.setCertificateEntry("ca", PKI.certificate);
			TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			tmf.init(trust);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
			return context;
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static Path store(Path path, boolean withPlatformKey) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			if (withPlatformKey) {
				store.setKeyEntry("platform", PLATFORM.key(), TestPki.PASSWORD, PLATFORM.chain());
			} else {
				store.setCertificateEntry("ca", PKI.certificate);
			}
			try (OutputStream out = Files.newOutputStream(path)) {
				store.store(out, TestPki.PASSWORD);
			}
			return path;
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static Path directory() {
		try {
			return Files.createTempDirectory("sas-aggregator-pki");
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
