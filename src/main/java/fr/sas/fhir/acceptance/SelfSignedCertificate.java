package fr.sas.fhir.acceptance;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import javax.security.auth.x500.X500Principal;

/**
 * A self-signed client certificate made at run time, from no authority: the "unknown certificate" the endpoint must
 * refuse. Written by hand in DER (X.509 v3, no extension, SHA256withRSA) because BouncyCastle is only a test
 * dependency and the JDK has no public API to issue a certificate.
 */
record SelfSignedCertificate(KeyPair keys, X509Certificate certificate) {

	private static final SecureRandom RANDOM = new SecureRandom();
	private static final byte[] SHA256_WITH_RSA = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7,
			0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00};
	private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

	static SelfSignedCertificate make(String subject, Instant notBefore, Instant notAfter) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048, RANDOM);
			KeyPair keys = generator.generateKeyPair();
			byte[] name = new X500Principal(subject).getEncoded();
			byte[] tbs = der(0x30,
					der(0xA0, der(0x02, new byte[] {2})), // v3
					der(0x02, new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray()),
					SHA256_WITH_RSA, name,
					der(0x30, time(notBefore), time(notAfter)),
					name, keys.getPublic().getEncoded());
			Signature signer = Signature.getInstance("SHA256withRSA");
			signer.initSign(keys.getPrivate());
			signer.update(tbs);
			byte[] signature = signer.sign();
			byte[] bits = new byte[signature.length + 1]; // a leading 0: no unused bit
			System.arraycopy(signature, 0, bits, 1, signature.length);
			byte[] encoded = der(0x30, tbs, SHA256_WITH_RSA, der(0x03, bits));
			X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
					.generateCertificate(new ByteArrayInputStream(encoded));
			return new SelfSignedCertificate(keys, certificate);
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("cannot make a self-signed certificate", e);
		}
	}

	private static byte[] time(Instant instant) {
		return der(0x17, UTC_TIME.format(instant).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
	}

	/** One DER element: its tag, its length, its content (the parts concatenated). */
	private static byte[] der(int tag, byte[]... parts) {
		ByteArrayOutputStream content = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			content.writeBytes(part);
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(tag);
		int length = content.size();
		if (length < 0x80) {
			out.write(length);
		} else {
			byte[] digits = BigInteger.valueOf(length).toByteArray();
			int skip = digits[0] == 0 ? 1 : 0;
			out.write(0x80 | (digits.length - skip));
			out.write(digits, skip, digits.length - skip);
		}
		out.writeBytes(content.toByteArray());
		return out.toByteArray();
	}
}
