package fr.sas.fhir.acceptance;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A {@code GET} whose request line carries the guide's literal {@code |} ({@code identifier=urn:oid:...|8101...}), as
 * the search pages print it and as curl sends it. The JDK's HTTP client cannot send it ({@link java.net.URI} refuses a
 * raw {@code |}), so this writes HTTP/1.1 on a socket of its own: plain, or TLS through the SSL context the publishers'
 * client uses for the endpoint (its client certificate and trust), host name verified, SNI sent. One request per
 * connection ({@code Connection: close}); the answer read whole: status, headers, body by {@code Content-Length},
 * chunked, or up to the close.
 */
final class RawBarRequest {

	/** The answer; {@code status} 0 and {@code error} set when there was none. Header names in lower case. */
	record Answer(int status, String statusLine, Map<String, String> headers, byte[] body, String error, Duration elapsed) {
		String contentType() {
			return headers.get("content-type");
		}
	}

	private RawBarRequest() {}

	/**
	 * {@code target}: the path and query as they go on the request line, unchanged (the bar raw); {@code tls} null
	 * over plain http; {@code headers} lines {@code Name: value}.
	 */
	static Answer get(URI base, String target, List<String> headers, SSLContext tls, Duration timeout, long maxBytes) {
		long start = System.nanoTime();
		String host = base.getHost();
		boolean https = "https".equalsIgnoreCase(base.getScheme());
		int port = base.getPort() >= 0 ? base.getPort() : https ? 443 : 80;
		int millis = (int) Math.max(1, timeout.toMillis());
		try (Socket plain = new Socket()) {
			plain.connect(new InetSocketAddress(host, port), millis);
			plain.setSoTimeout(millis);
			Socket socket = plain;
			if (https) {
				SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
				SSLParameters parameters = secure.getSSLParameters();
				parameters.setEndpointIdentificationAlgorithm("HTTPS");
				if (!host.matches("[0-9.]+|.*:.*")) {
					parameters.setServerNames(List.of(new SNIHostName(host)));
				}
				parameters.setApplicationProtocols(new String[] {"http/1.1"});
				secure.setSSLParameters(parameters);
				secure.startHandshake();
				socket = secure;
			}
			socket.getOutputStream().write(request(base, target, headers));
			socket.getOutputStream().flush();
			return read(new BufferedInputStream(socket.getInputStream()), maxBytes, start, timeout);
		} catch (SocketTimeoutException e) {
			return failed("no answer within " + millis + " ms", start);
		} catch (IOException | RuntimeException e) {
			return failed(e.getClass().getSimpleName() + ": " + e.getMessage(), start);
		}
	}

	static byte[] request(URI base, String target, List<String> headers) {
		StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n")
				.append("Host: ").append(base.getRawAuthority()).append("\r\n")
				.append("Accept: application/fhir+json\r\n")
				.append("User-Agent: sas-fhir-server (acceptance)\r\n")
				// the header every call of the publishers' client carries: both requests differ by their bar only
				.append(fr.sas.fhir.publishers.PublisherClient.AGGREGATED_HEADER).append(": sas-acceptance\r\n")
				.append("Connection: close\r\n");
		for (String header : headers) {
			if (header.indexOf(':') > 0 && header.indexOf('\r') < 0 && header.indexOf('\n') < 0) {
				request.append(header.trim()).append("\r\n");
			}
		}
		return request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
	}

	private static Answer read(InputStream in, long maxBytes, long start, Duration timeout) throws IOException {
		String statusLine;
		Map<String, String> headers;
		int status;
		do { // an interim 1xx answer is followed by the real one
			statusLine = line(in);
			if (statusLine == null) {
				return failed("the connection closed without an answer", start);
			}
			String[] parts = statusLine.split(" ", 3);
			if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
				return failed("not an HTTP answer: " + Text.clip(statusLine), start);
			}
			status = Integer.parseInt(parts[1]);
			headers = new LinkedHashMap<>();
			for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
				int colon = header.indexOf(':');
				if (colon > 0) {
					headers.merge(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim(),
							(a, b) -> a + ", " + b);
				}
			}
		} while (status >= 100 && status < 200);
		long deadline = start + timeout.toNanos();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		String encoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
		if (status == 204 || status == 304) {
			// no body
		} else if (encoding.contains("chunked")) {
			for (long size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
				copy(in, body, size, maxBytes, deadline);
				line(in); // the CRLF after the chunk
			}
			for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
				// trailers: not used
			}
		} else if (headers.containsKey("content-length")) {
			copy(in, body, Long.parseLong(headers.get("content-length")), maxBytes, deadline);
		} else {
			copy(in, body, Long.MAX_VALUE, maxBytes, deadline);
		}
		return new Answer(status, statusLine, headers, body.toByteArray(), null, Duration.ofNanos(System.nanoTime() - start));
	}

	private static long chunkSize(String line) throws IOException {
		if (line == null) {
			throw new IOException("the chunked answer ended without its last chunk");
		}
		int extension = line.indexOf(';');
		return Long.parseLong((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
	}

	/** Up to {@code length} bytes (to the end of the stream for {@link Long#MAX_VALUE}), at most {@code maxBytes} in all. */
	private static void copy(InputStream in, ByteArrayOutputStream out, long length, long maxBytes, long deadline)
			throws IOException {
		byte[] buffer = new byte[8192];
		long left = length;
		while (left > 0) {
			if (System.nanoTime() > deadline) {
				throw new SocketTimeoutException("the answer's body was not read within its time");
			}
			int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
			if (read < 0) {
				if (length == Long.MAX_VALUE) {
					return;
				}
				throw new IOException("the connection closed " + left + " bytes before the answer's end");
			}
			if (out.size() + read > maxBytes) {
				throw new IOException("answer larger than " + maxBytes + " bytes");
			}
			out.write(buffer, 0, read);
			left -= read;
		}
	}

	/** One header line without its CRLF, null at the end of the stream before any byte. */
	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) >= 0 && b != '\n') {
			if (line.size() > 65_536) {
				throw new IOException("a header line longer than 64 KiB");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
	}

	private static Answer failed(String error, long start) {
		return new Answer(0, null, Map.of(), new byte[0], error, Duration.ofNanos(System.nanoTime() - start));
	}
}
