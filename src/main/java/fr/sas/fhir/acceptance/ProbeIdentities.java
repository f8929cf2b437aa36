package fr.sas.fhir.acceptance;

import fr.sas.fhir.acceptance.ClientCertificateProbe.Identity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Where the probes' client identities and trust come from. The expired and the revoked certificates must come from
 * the authority the endpoint trusts (only it can issue them: an expired certificate of another authority would be
 * refused as unknown, proving nothing about expiry), so they are given as PKCS#12 files; the trust of the server's
 * certificate is the publishers' client's ({@code sas.publishers.trust-store}, else the JVM's).
 */
final class ProbeIdentities {

	private ProbeIdentities() {}

	/** The first private key of a PKCS#12 file, with its chain. */
	static Identity read(String file, String password) throws IOException, GeneralSecurityException {
		KeyStore store = load(file, "PKCS12", password);
		for (String alias : Collections.list(store.aliases())) {
			if (store.isKeyEntry(alias)) {
				Certificate[] chain = store.getCertificateChain(alias);
				return new Identity((PrivateKey) store.getKey(alias, password.toCharArray()),
						Arrays.copyOf(chain, chain.length, X509Certificate[].class));
			}
		}
		throw new GeneralSecurityException(file + " holds no private key and certificate");
	}

	/** The publishers' trust (the trust store given, else the JVM's). */
	static X509ExtendedTrustManager trust(String file, String type, String password) {
		try {
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(file == null || file.isBlank() ? null : load(file, type, password));
			return Arrays.stream(factory.getTrustManagers()).filter(X509ExtendedTrustManager.class::isInstance)
					.map(X509ExtendedTrustManager.class::cast).findFirst().orElseThrow();
		} catch (GeneralSecurityException | IOException e) {
			throw new IllegalStateException("the publishers' trust store is unreadable: " + e.getMessage(), e);
		}
	}

	private static KeyStore load(String file, String type, String password) throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance(type);
		try (InputStream in = Files.newInputStream(Path.of(file.startsWith("file:") ? file.substring(5) : file))) {
			store.load(in, password.toCharArray());
		}
		return store;
	}

	/** Subject, issuer, serial and validity, for the report. */
	static String describe(X509Certificate certificate) {
		return certificate.getSubjectX500Principal().getName() + " (issuer " + certificate.getIssuerX500Principal().getName()
				+ ", serial " + certificate.getSerialNumber().toString(16) + ", valid " + certificate.getNotBefore().toInstant()
				+ " to " + certificate.getNotAfter().toInstant() + ")";
	}
}
