package fr.sas.fhir.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * HTTP/1.1 over a plain socket: the request line goes out byte for byte as written (a raw {@code |}, {@code [},
 * a space), with no client-side encoding, as curl and many HTTP clients send the guide's URLs.
 */
public final class RawHttp {

	private final String host;
	private final int port;
	private final String basePath;
	private final javax.net.SocketFactory sockets;

	/** {@code base} as {@link FhirHttp#base()} gives it: {@code http://localhost:port/fhir}. */
	public RawHttp(String base) {
		this(base, javax.net.SocketFactory.getDefault());
	}

	/** The same over the sockets {@code sockets} makes (a TLS client's, for an {@code https} base). */
	public RawHttp(String base, javax.net.SocketFactory sockets) {
		URI uri = URI.create(base);
		this.host = uri.getHost();
		this.port = uri.getPort();
		this.basePath = uri.getPath();
		this.sockets = sockets;
	}

	/** {@code METHOD <base path><target> HTTP/1.1}, the headers given as "Name: value", and the body. */
	public Response send(String method, String target, byte[] body, String... headers) {
		return exchange(method, target, body, body != null, headers);
	}

	/**
	 * A request that announces a body of {@code declared} bytes and sends none: what the server answers before
	 * reading a body. The answer is read by its framing, since the server may keep waiting for the body.
	 */
	public Response announce(String method, String target, long declared, String... headers) {
		String[] all = java.util.Arrays.copyOf(headers, headers.length + 1);
		all[headers.length] = "Content-Length: " + declared;
		try (Socket socket = sockets.createSocket(host, port)) {
			socket.setSoTimeout(120_000);
			socket.getOutputStream().write(head(method, target, all).getBytes(StandardCharsets.ISO_8859_1));
			socket.getOutputStream().flush();
			return parse(readAnswer(socket.getInputStream()));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private String head(String method, String target, String... headers) {
		StringBuilder head = new StringBuilder(method).append(' ').append(basePath).append(target).append(" HTTP/1.1\r\n")
				.append("Host: ").append(host).append(':').append(port).append("\r\n")
				.append("Connection: close\r\n");
		for (String header : headers) {
			head.append(header).append("\r\n");
		}
		return head.append("\r\n").toString();
	}

	private Response exchange(String method, String target, byte[] body, boolean withLength, String... headers) {
		String[] all = headers;
		if (withLength) {
			all = java.util.Arrays.copyOf(headers, headers.length + 1);
			all[headers.length] = "Content-Length: " + body.length;
		}
		String head = head(method, target, all);
		try (Socket socket = sockets.createSocket(host, port)) {
			socket.setSoTimeout(120_000);
			OutputStream out = socket.getOutputStream();
			out.write(head.getBytes(StandardCharsets.ISO_8859_1));
			if (body != null) {
				try {
					out.write(body);
				} catch (IOException refusedEarly) {
					// the server answered and closed before reading the whole body (413): read its answer
				}
			}
			out.flush();
			return read(socket.getInputStream());
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The same with a chunked body (no {@code Content-Length}), in chunks of {@code chunk} bytes. */
	public Response sendChunked(String method, String target, byte[] body, int chunk, String... headers) {
		ByteArrayOutputStream framed = new ByteArrayOutputStream();
		for (int at = 0; at < body.length; at += chunk) {
			int n = Math.min(chunk, body.length - at);
			framed.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
			framed.write(body, at, n);
			framed.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
		}
		framed.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
		String[] all = java.util.Arrays.copyOf(headers, headers.length + 1);
		all[headers.length] = "Transfer-Encoding: chunked";
		return exchange(method, target, framed.toByteArray(), false, all);
	}

	public Response get(String target, String... headers) {
		return send("GET", target, null, headers);
	}

	private static Response read(InputStream in) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				all.write(buffer, 0, n);
			}
		} catch (IOException reset) {
			// a connection reset after the answer: keep what arrived
		}
		return parse(all.toByteArray());
	}

	/** One answer, read up to its end by Content-Length or the last chunk (not to the connection's end). */
	private static byte[] readAnswer(InputStream in) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (int b = in.read(); b >= 0; b = in.read()) {
			all.write(b);
			String text = all.toString(StandardCharsets.ISO_8859_1);
			int end = text.indexOf("\r\n\r\n");
			if (end < 0) {
				continue;
			}
			java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length: *(\\d+)").matcher(text.substring(0, end));
			if (length.find() ? all.size() - end - 4 >= Integer.parseInt(length.group(1)) : text.endsWith("\r\n0\r\n\r\n")) {
				break;
			}
		}
		return all.toByteArray();
	}

	private static Response parse(byte[] bytes) {
		String text = new String(bytes, StandardCharsets.ISO_8859_1);
		int end = text.indexOf("\r\n\r\n");
		String[] lines = text.substring(0, end).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
		}
		byte[] rest = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			rest = dechunk(rest);
		}
		return new Response(status, headers, new String(rest, StandardCharsets.UTF_8));
	}

	private static byte[] dechunk(byte[] chunked) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int at = 0;
		while (at < chunked.length) {
			int lineEnd = indexOf(chunked, at);
			int size = Integer.parseInt(new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
			if (size == 0) {
				break;
			}
			out.write(chunked, lineEnd + 2, size);
			at = lineEnd + 2 + size + 2;
		}
		return out.toByteArray();
	}

	private static int indexOf(byte[] bytes, int from) {
		for (int i = from; i < bytes.length - 1; i++) {
			if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
				return i;
			}
		}
		return bytes.length;
	}

	public record Response(int status, Map<String, String> headers, String body) {

		public String contentType() {
			return headers.getOrDefault("content-type", "");
		}

		public Resource resource() {
			return (Resource) FhirHttp.CTX.newJsonParser().parseResource(body);
		}

		public Bundle bundle() {
			return (Bundle) resource();
		}

		public OperationOutcome outcome() {
			return (OperationOutcome) resource();
		}

		@Override
		public String toString() {
			return status + " " + contentType() + " " + (body.length() > 1500 ? body.substring(0, 1500) + "..." : body);
		}
	}
}
