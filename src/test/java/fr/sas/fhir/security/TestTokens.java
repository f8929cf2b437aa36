package fr.sas.fhir.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A test OpenID provider: its key set served on the loopback address (the server fetches it as it would Pro
 * Santé Connect's), and tokens signed with its key, or with another key for the forgery cases.
 */
final class TestTokens {

	static final String ISSUER = "https://psc.test/auth/realms/esante-wallet";
	static final String AUDIENCE = "sas-fhir-server";

	private final RSAKey key;
	private final RSAKey stranger;
	private final HttpServer server;

	TestTokens() {
		try {
			key = new RSAKeyGenerator(2048).keyID("test-key").generate();
			stranger = new RSAKeyGenerator(2048).keyID("test-key").generate();
			server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
			server.createContext("/certs", exchange -> {
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, jwks.length);
				exchange.getResponseBody().write(jwks);
				exchange.close();
			});
			server.start();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	String jwkSetUri() {
		return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
	}

	/** A token as the provider would issue it to {@code person} with {@code role}, valid for 5 minutes from now. */
	String token(String person, String role) {
		return sign(key, claims(person, role).build());
	}

	JWTClaimsSet.Builder claims(String person, String role) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(ISSUER).audience(List.of(AUDIENCE)).subject("psc-" + person)
				.issueTime(Date.from(now)).notBeforeTime(Date.from(now.minusSeconds(5)))
				.expirationTime(Date.from(now.plusSeconds(300))).claim("SubjectNameID", person)
				.claim("SubjectRole", List.of(role));
	}

	String sign(JWTClaimsSet claims) {
		return sign(key, claims);
	}

	/** Signed with a key the provider's key set does not hold (same key id). */
	String forged(String person, String role) {
		return sign(stranger, claims(person, role).build());
	}

	private static String sign(RSAKey with, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
					.type(JOSEObjectType.JWT).build(), claims);
			jwt.sign(new RSASSASigner(with));
			return jwt.serialize();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
