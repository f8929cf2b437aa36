package fr.sas.fhir.acceptance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One {@code GET [base]/metadata} over a TLS connection of its own presenting one client identity (or none), the
 * endpoint's headers sent as on every call, so that the certificate is the only difference with the calls that are
 * served. Its own socket, not the publishers' client: that client retries, counts failures in a circuit breaker and
 * reuses connections, and a refusal must be seen as it happens. A refusal is a TLS alert or a connection the server
 * ended, or 400/401/403/495/496; a failure on our side (the server's certificate not trusted, no connection, no
 * answer in time) is inconclusive, never a refusal.
 */
final class ClientCertificateProbe {

	enum Outcome { REFUSED, SERVED, INCONCLUSIVE }

	record Result(Outcome outcome, String evidence) {}

	/** A client identity: a private key and its chain; null key: no certificate presented. */
	record Identity(PrivateKey key, X509Certificate[] chain) {
		static final Identity NONE = new Identity(null, null);
	}

	private static final List<Integer> REFUSING_STATUSES = List.of(400, 401, 403, 495, 496);

	private ClientCertificateProbe() {}

	static Result get(URI metadata, List<String> headers, Identity identity, X509ExtendedTrustManager trust, Duration timeout) {
		Recording recording = new Recording(trust);
		String host = metadata.getHost();
		int port = metadata.getPort() < 0 ? 443 : metadata.getPort();
		int millis = (int) timeout.toMillis();
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(new KeyManager[] {new Presenting(identity)}, new TrustManager[] {recording}, null);
			try (Socket plain = new Socket()) {
				try {
					plain.connect(new InetSocketAddress(host, port), millis);
				} catch (IOException e) {
					return new Result(Outcome.INCONCLUSIVE, "could not connect to " + host + ":" + port + ": " + e.getMessage());
				}
				plain.setSoTimeout(millis);
				try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
					SSLParameters parameters = socket.getSSLParameters();
					parameters.setEndpointIdentificationAlgorithm("HTTPS");
					if (!host.matches("[0-9.]+|.*:.*")) {
						parameters.setServerNames(List.of(new SNIHostName(host)));
					}
					socket.setSSLParameters(parameters);
					socket.startHandshake();
					send(socket.getOutputStream(), metadata, headers);
					String status = statusLine(socket.getInputStream());
					String session = " (" + socket.getSession().getProtocol() + ")";
					if (status == null) {
						// TLS 1.3 checks the client's certificate after our side's handshake is done: a refusal may come as a close
						return new Result(Outcome.REFUSED, "the server closed the connection after the handshake, without answering" + session);
					}
					return answered(status, session);
				}
			}
		} catch (SocketTimeoutException e) {
			return new Result(Outcome.INCONCLUSIVE, "no answer within " + millis + " ms");
		} catch (IOException e) {
			if (recording.refused != null) {
				return new Result(Outcome.INCONCLUSIVE, "our side did not trust the server's certificate: " + recording.refused);
			}
			return serverEnded(e) ? new Result(Outcome.REFUSED, "TLS refused: " + chain(e))
					: new Result(Outcome.INCONCLUSIVE, "the connection failed on our side: " + chain(e));
		} catch (GeneralSecurityException e) {
			return new Result(Outcome.INCONCLUSIVE, "no TLS context: " + e.getMessage());
		}
	}

	private static Result answered(String status, String session) {
		String[] parts = status.split(" ", 3);
		int code = parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
		if (code >= 200 && code < 400) {
			return new Result(Outcome.SERVED, "answered " + status + session);
		}
		if (REFUSING_STATUSES.contains(code)) {
			return new Result(Outcome.REFUSED, "answered " + status + session);
		}
		return new Result(Outcome.INCONCLUSIVE, "answered " + status + session + ": neither served nor refused");
	}

	/** Whether the server ended it: its alert, or the connection closed or reset under us. */
	private static boolean serverEnded(Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			String message = String.valueOf(t.getMessage());
			if (t instanceof java.io.EOFException || t instanceof java.net.SocketException || message.contains("Received fatal alert")
					|| message.contains("Remote host terminated") || message.contains("Connection reset")
					|| message.contains("Broken pipe")) {
				return true;
			}
		}
		return false;
	}

	private static String chain(Throwable e) {
		StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
		for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
			if (t.getMessage() != null && !text.toString().contains(t.getMessage())) {
				text.append("; ").append(t.getMessage());
			}
		}
		return text.toString();
	}

	private static void send(OutputStream out, URI metadata, List<String> headers) throws IOException {
		StringBuilder request = new StringBuilder("GET ").append(metadata.getRawPath())
				.append(metadata.getRawQuery() == null ? "" : "?" + metadata.getRawQuery()).append(" HTTP/1.1\r\n")
				.append("Host: ").append(metadata.getRawAuthority()).append("\r\n")
				.append("Accept: application/fhir+json\r\nUser-Agent: sas-fhir-server (acceptance probe)\r\nConnection: close\r\n");
		for (String header : headers) {
			if (header.indexOf(':') > 0 && header.indexOf('\r') < 0 && header.indexOf('\n') < 0) {
				request.append(header).append("\r\n");
			}
		}
		out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	/** The answer's first line, or null when the connection ended before any byte. */
	private static String statusLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b >= 0 && b != '\n' && line.size() < 512; b = in.read()) {
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
	}

	/** Presents its one identity whatever authorities the server names (a refusal must be the server's). */
	private static final class Presenting extends X509ExtendedKeyManager {
		private final Identity identity;

		Presenting(Identity identity) {
			this.identity = identity;
		}

		private String alias() {
			return identity.key() == null ? null : "probe";
		}

		@Override
		public String[] getClientAliases(String keyType, Principal[] issuers) {
			return identity.key() == null ? null : new String[] {"probe"};
		}

		@Override
		public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
			return alias();
		}

		@Override
		public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
			return alias();
		}

		@Override
		public String[] getServerAliases(String keyType, Principal[] issuers) {
			return null;
		}

		@Override
		public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return null;
		}

		@Override
		public X509Certificate[] getCertificateChain(String alias) {
			return identity.chain();
		}

		@Override
		public PrivateKey getPrivateKey(String alias) {
			return identity.key();
		}
	}

	/** The publishers' trust, remembering whether it refused the server: then a failed handshake is ours. */
	private static final class Recording extends X509ExtendedTrustManager {
		private final X509ExtendedTrustManager delegate;
		volatile String refused;

		Recording(X509ExtendedTrustManager delegate) {
			this.delegate = delegate;
		}

		private interface Check {
			void run() throws CertificateException;
		}

		private void record(Check check) throws CertificateException {
			try {
				check.run();
			} catch (CertificateException e) {
				refused = e.getMessage();
				throw e;
			}
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
			record(() -> delegate.checkServerTrusted(chain, authType, socket));
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
			record(() -> delegate.checkServerTrusted(chain, authType, engine));
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			record(() -> delegate.checkServerTrusted(chain, authType));
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
			delegate.checkClientTrusted(chain, authType, socket);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
			delegate.checkClientTrusted(chain, authType, engine);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			delegate.checkClientTrusted(chain, authType);
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return delegate.getAcceptedIssuers();
		}
	}
}
