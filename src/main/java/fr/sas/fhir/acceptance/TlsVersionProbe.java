package fr.sas.fhir.acceptance;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

/**
 * Whether a server accepts an old protocol version (SSL 3.0, TLS 1.0, TLS 1.1): a ClientHello offering at most that version, written by hand, and
 * the server's first answer read (its ServerHello names the version it chose; an alert or a closed connection is a
 * refusal). The JDK's TLS stack cannot be used: it refuses to offer TLS 1.0/1.1 ({@code jdk.tls.disabledAlgorithms}, and has no SSL 3.0 at all,
 * read once per JVM), and changing that property would weaken every other connection of the process. The handshake
 * is not completed: the version is decided by the ServerHello, and nothing is sent over it.
 */
final class TlsVersionProbe {

	/** SSL 3.0: the JDK cannot speak it at all; a hand-built ClientHello is the only way to ask a server for it. */
	static final int SSL_3_0 = 0x0300;
	static final int TLS_1_0 = 0x0301;
	static final int TLS_1_1 = 0x0302;

	enum Outcome { REFUSED, ACCEPTED, INCONCLUSIVE }

	/** @param chosen the version of the server's ServerHello, 0 without one */
	record Result(Outcome outcome, String evidence, int chosen) {
		Result(Outcome outcome, String evidence) {
			this(outcome, evidence, 0);
		}
	}

	/**
	 * Suites an SSL 3.0 / TLS 1.0 / TLS 1.1 server can choose (ECDHE, DHE, RSA; AES-CBC, 3DES: the RSA and DHE ones are
	 * SSL 3.0's too), and the renegotiation SCSV.
	 */
	private static final int[] SUITES = {0xC013, 0xC014, 0xC009, 0xC00A, 0x0033, 0x0039, 0x002F, 0x0035, 0xC012, 0x0016,
			0x000A, 0x00FF};
	private static final Map<Integer, String> ALERTS = Map.of(40, "handshake_failure", 47, "illegal_parameter", 50, "decode_error",
			70, "protocol_version", 71, "insufficient_security", 80, "internal_error", 86, "inappropriate_fallback",
			112, "unrecognized_name");
	private static final SecureRandom RANDOM = new SecureRandom();

	private TlsVersionProbe() {}

	static String name(int version) {
		return version < TLS_1_0 ? "SSL 3.0" : "TLS 1." + (version - TLS_1_0);
	}

	static Result probe(String host, int port, int version, Duration timeout) {
		try (Socket socket = new Socket()) {
			try {
				socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
			} catch (IOException e) {
				return new Result(Outcome.INCONCLUSIVE, "could not connect to " + host + ":" + port + ": " + e.getMessage());
			}
			socket.setSoTimeout((int) timeout.toMillis());
			socket.getOutputStream().write(clientHello(host, version));
			socket.getOutputStream().flush();
			return answer(new DataInputStream(socket.getInputStream()), version);
		} catch (SocketTimeoutException e) {
			return new Result(Outcome.INCONCLUSIVE, "no answer to the ClientHello within " + timeout.toMillis() + " ms");
		} catch (EOFException | SocketException e) {
			return new Result(Outcome.REFUSED, "the connection closed without a ServerHello (" + e.getClass().getSimpleName()
					+ (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
		} catch (IOException e) {
			return new Result(Outcome.INCONCLUSIVE, "the probe failed: " + e);
		}
	}

	private static Result answer(DataInputStream in, int version) throws IOException {
		int type = in.read();
		if (type < 0) {
			return new Result(Outcome.REFUSED, "the connection closed without a ServerHello");
		}
		int recordVersion = in.readUnsignedShort();
		int length = in.readUnsignedShort();
		if (type == 21 && length >= 2) {
			in.readUnsignedByte();
			int description = in.readUnsignedByte();
			return new Result(Outcome.REFUSED, "alert " + ALERTS.getOrDefault(description, "#" + description) + " (" + description + ")");
		}
		if (type != 22 || (recordVersion >> 8) != 3 || length < 6 || length > 1 << 14) {
			return new Result(Outcome.INCONCLUSIVE, String.format("the answer is not a TLS handshake (record type %d, version 0x%04x)",
					type, recordVersion));
		}
		byte[] body = new byte[length];
		in.readFully(body);
		if (body[0] != 2) {
			return new Result(Outcome.INCONCLUSIVE, "the first handshake message is of type " + body[0] + ", not a ServerHello");
		}
		int chosen = (body[4] & 0xFF) << 8 | body[5] & 0xFF;
		if (chosen > version) {
			// Not a session at the version offered: a client offering at most that version aborts here.
			return new Result(Outcome.REFUSED, String.format("ServerHello with version 0x%04x, higher than offered", chosen));
		}
		return new Result(Outcome.ACCEPTED, String.format("ServerHello choosing %s (0x%04x)", name(chosen), chosen), chosen);
	}

	/** A ClientHello whose highest version is {@code version}: SNI, the suites above, the curves of ECDHE. */
	static byte[] clientHello(String host, int version) {
		ByteArrayOutputStream extensions = new ByteArrayOutputStream();
		if (!host.matches("[0-9.]+|.*:.*")) {
			byte[] name = host.getBytes(StandardCharsets.US_ASCII);
			extension(extensions, 0x0000, concat(u16(name.length + 3), new byte[] {0}, u16(name.length), name));
		}
		extension(extensions, 0x000A, concat(u16(8), u16(29), u16(23), u16(24), u16(25))); // x25519, P-256, P-384, P-521
		extension(extensions, 0x000B, new byte[] {1, 0}); // uncompressed points
		ByteArrayOutputStream suites = new ByteArrayOutputStream();
		for (int suite : SUITES) {
			suites.writeBytes(u16(suite));
		}
		byte[] random = new byte[32];
		RANDOM.nextBytes(random);
		byte[] hello = concat(u16(version), random, new byte[] {0}, u16(suites.size()), suites.toByteArray(), new byte[] {1, 0},
				u16(extensions.size()), extensions.toByteArray());
		byte[] handshake = concat(new byte[] {1, (byte) (hello.length >> 16), (byte) (hello.length >> 8), (byte) hello.length}, hello);
		// the record layer's version: 3.0 for an SSL 3.0 hello (an SSL 3.0-only server may refuse a higher one), else TLS 1.0
		return concat(new byte[] {22}, u16(Math.min(version, TLS_1_0)), u16(handshake.length), handshake);
	}

	private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
		out.writeBytes(u16(type));
		out.writeBytes(u16(data.length));
		out.writeBytes(data);
	}

	private static byte[] u16(int value) {
		return new byte[] {(byte) (value >> 8), (byte) value};
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}
}
