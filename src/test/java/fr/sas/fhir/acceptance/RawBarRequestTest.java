package fr.sas.fhir.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The raw-bar request against a scripted HTTP/1.1 server: the request line carries the bar as given (not encoded), and
 * the answer is read whole whatever its framing (Content-Length, chunked, up to the close, after a 100). No Spring
 * context.
 */
class RawBarRequestTest {

	static final String TARGET = "/fhir/Slot?schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|810000000001,"
			+ "urn:oid:1.2.250.1.71.4.2.1|810000000002&status=free";

	@Test
	void theRequestLineCarriesTheBarRawAndTheHeadersGiven() throws Exception {
		try (Scripted server = new Scripted("HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: 2\r\n\r\n{}")) {
			RawBarRequest.Answer answer = get(server, List.of("X-Api-Key: k1"));

			String request = server.request.get();
			assertThat(request).startsWith("GET " + TARGET + " HTTP/1.1\r\n").doesNotContain("%7C")
					.contains("\r\nHost: localhost:" + server.port() + "\r\n", "\r\nAccept: application/fhir+json\r\n",
							"\r\nX-Api-Key: k1\r\n", "\r\nConnection: close\r\n", "\r\nX-Sas-Aggregated-By: sas-acceptance\r\n")
					.endsWith("\r\n\r\n");
			assertThat(answer.error()).isNull();
			assertThat(answer.status()).isEqualTo(200);
			assertThat(answer.contentType()).isEqualTo("application/fhir+json");
			assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
		}
	}

	@Test
	void aChunkedAnswerIsReadWhole() throws Exception {
		try (Scripted server = new Scripted("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/fhir+json\r\n\r\n"
				+ "5\r\n{\"res\r\n1a;ext=1\r\nourceType\":\"Bundle\",\"x\":1}\r\n0\r\nTrailer: t\r\n\r\n")) {
			RawBarRequest.Answer answer = get(server, List.of());
			assertThat(answer.error()).isNull();
			assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"resourceType\":\"Bundle\",\"x\":1}");
		}
	}

	@Test
	void anAnswerUpToTheCloseAndAnInterim100AreRead() throws Exception {
		try (Scripted server = new Scripted("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 \r\nContent-Type: text/html\r\n\r\n<h1>Bad</h1>")) {
			RawBarRequest.Answer answer = get(server, List.of());
			assertThat(answer.status()).isEqualTo(400);
			assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 400 ");
			assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("<h1>Bad</h1>");
		}
	}

	@Test
	void noAnswerIsAnErrorNotAStatus() throws Exception {
		try (Scripted server = new Scripted("")) {
			RawBarRequest.Answer answer = get(server, List.of());
			assertThat(answer.status()).isZero();
			assertThat(answer.error()).contains("closed without an answer");
		}
		try (Scripted truncated = new Scripted("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}")) {
			assertThat(get(truncated, List.of()).error()).contains("closed 8 bytes before the answer's end");
		}
	}

	static RawBarRequest.Answer get(Scripted server, List<String> headers) {
		return RawBarRequest.get(URI.create("http://localhost:" + server.port() + "/fhir"), TARGET, headers, null,
				Duration.ofSeconds(5), 1 << 20);
	}

	/** Accepts one connection, keeps the request head, writes the scripted answer and closes. */
	static final class Scripted implements AutoCloseable {
		final ServerSocket socket;
		final CompletableFuture<String> request = new CompletableFuture<>();

		Scripted(String answer) throws IOException {
			socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
			Thread thread = new Thread(() -> {
				try (Socket client = socket.accept()) {
					request.complete(head(client.getInputStream()));
					client.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
				} catch (IOException e) {
					request.completeExceptionally(e);
				}
			}, "scripted-http");
			thread.setDaemon(true);
			thread.start();
		}

		int port() {
			return socket.getLocalPort();
		}

		static String head(InputStream in) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
				int b = in.read();
				if (b < 0) {
					break;
				}
				head.write(b);
			}
			return head.toString(StandardCharsets.UTF_8);
		}

		@Override
		public void close() throws IOException {
			socket.close();
		}
	}
}
