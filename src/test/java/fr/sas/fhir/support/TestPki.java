package fr.sas.fhir.support;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate authority, generated per run (no private key is ever committed): the server's certificate,
 * client certificates (valid, expired, of another authority), and the key and trust stores Tomcat and the test
 * clients read.
 */
public final class TestPki {

	public static final char[] PASSWORD = "changeit".toCharArray();
	private static final SecureRandom RANDOM = new SecureRandom();

	public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate[] chain) {}

	private final String name;
	private final KeyPair keys;
	public final X509Certificate certificate;

	public TestPki(String name) {
		this.name = name;
		this.keys = rsa();
		this.certificate = sign(new X500Name("CN=" + name + ",O=Tests"), keys, new X500Name("CN=" + name + ",O=Tests"),
				keys.getPrivate(), Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)), true);
	}

	/** A certificate of this authority for {@code subject} (an RFC 4514 name, CN and OU as the test needs). */
	public Issued issue(String subject, Instant notBefore, Instant notAfter) {
		KeyPair pair = rsa();
		X509Certificate cert = sign(new X500Name(subject), pair, new X500Name("CN=" + name + ",O=Tests"), keys.getPrivate(),
				notBefore, notAfter, false);
		return new Issued(cert, pair.getPrivate(), new X509Certificate[] {cert, certificate});
	}

	public Issued valid(String subject) {
		return issue(subject, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(10)));
	}

	public Path keyStore(Path dir, String file, Issued issued) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setKeyEntry("key", issued.key(), PASSWORD, issued.chain());
		return save(store, dir.resolve(file));
	}

	public Path trustStore(Path dir, String file) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setCertificateEntry("ca", certificate);
		return save(store, dir.resolve(file));
	}

	/** A TLS client context trusting this authority (the server's), presenting {@code client} when given. */
	public SSLContext clientContextPresenting(Issued client) throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry("ca", certificate);
		TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		tmf.init(trust);
		KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		KeyStore keys = KeyStore.getInstance("PKCS12");
		keys.load(null, null);
		if (client != null) {
			keys.setKeyEntry("key", client.key(), PASSWORD, client.chain());
		}
		kmf.init(keys, PASSWORD);
		SSLContext context = SSLContext.getInstance("TLS");
		X509ExtendedKeyManager chosen = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
		// Presents the certificate whatever authorities the server names, as a misconfigured client would.
		X509ExtendedKeyManager always = new X509ExtendedKeyManager() {
			@Override
			public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
				return client == null ? null : new String[] {"key"};
			}

			@Override
			public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
				return client == null ? null : "key";
			}

			@Override
			public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
				return client == null ? null : "key";
			}

			@Override
			public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
				return null;
			}

			@Override
			public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
				return null;
			}

			@Override
			public X509Certificate[] getCertificateChain(String alias) {
				return chosen.getCertificateChain(alias);
			}

			@Override
			public PrivateKey getPrivateKey(String alias) {
				return chosen.getPrivateKey(alias);
			}
		};
		context.init(new javax.net.ssl.KeyManager[] {always}, tmf.getTrustManagers(), RANDOM);
		return context;
	}

	/** This authority's revocation list revoking {@code revoked}, written (PEM) to {@code path}; next update in a day. */
	public Path revocationList(Path path, Issued... revoked) throws Exception {
		Instant now = Instant.now();
		org.bouncycastle.cert.X509v2CRLBuilder builder = new org.bouncycastle.cert.X509v2CRLBuilder(
				new X500Name("CN=" + name + ",O=Tests"), Date.from(now.minusSeconds(60)));
		builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
		for (Issued issued : revoked) {
			builder.addCRLEntry(issued.certificate().getSerialNumber(), Date.from(now.minusSeconds(60)),
					org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
		}
		org.bouncycastle.cert.X509CRLHolder crl = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
		String pem = "-----BEGIN X509 CRL-----\n"
				+ java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(crl.getEncoded()) + "\n-----END X509 CRL-----\n";
		Path written = Files.writeString(path.resolveSibling(path.getFileName() + ".tmp"), pem);
		return Files.move(written, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	private static Path save(KeyStore store, Path path) throws Exception {
		try (OutputStream out = Files.newOutputStream(path)) {
			store.store(out, PASSWORD);
		}
		return path;
	}

	private static KeyPair rsa() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048, RANDOM);
			return generator.generateKeyPair();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
			Instant notBefore, Instant notAfter, boolean authority) {
		try {
			JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM),
					Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
			builder.addExtension(Extension.keyUsage, true, authority
					? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
					: new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
			if (!authority) {
				builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
						new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
			}
			return new JcaX509CertificateConverter().getCertificate(
					builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
