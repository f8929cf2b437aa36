package fr.sas.fhir.acceptance;

import fr.sas.fhir.support.PublisherStandIn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The front of a {@link PublisherStandIn} for the acceptance's tests: what a publisher's web server does with the
 * guide's raw {@code |} on the request line. The stand-in is the JDK's HTTP server, which cannot take a raw {@code |}
 * ({@link URI}); the front takes it ({@link Bar#ACCEPTED}: percent-encoded before the stand-in sees it, as Tomcat with
 * {@code relaxedQueryChars="|"} decodes it to the same) or refuses it as Tomcat does by default
 * ({@link Bar#REFUSED}: 400 "Invalid character found in the request target"). Only the first request line of a
 * connection is looked at (the acceptance's raw-bar request is alone on its connection; the JDK's client sends
 * {@code %7C}); the rest is relayed as is. Over TLS the front ends TLS with the stand-in's context and client
 * certificate requirement, the stand-in behind it then over plain http.
 */
final class RawBarFront implements AutoCloseable {

	enum Bar { ACCEPTED, REFUSED }

	private final PublisherStandIn backend;
	private final int backendPort;
	private final ServerSocket socket;
	private final Bar bar;
	private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
		Thread t = new Thread(r, "raw-bar-front");
		t.setDaemon(true);
		return t;
	});

	private RawBarFront(PublisherStandIn backend, ServerSocket socket, Bar bar) {
		this.backend = backend;
		this.backendPort = URI.create(backend.base()).getPort();
		this.socket = socket;
		this.bar = bar;
		threads.execute(this::accept);
	}

	/** Over plain http, in front of a plain-http stand-in. */
	static RawBarFront plain(PublisherStandIn backend, Bar bar) {
		try {
			return new RawBarFront(backend, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), bar);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Over TLS ({@code context}'s certificate; {@code needClientAuth}: mutual TLS), in front of a plain-http stand-in. */
	static RawBarFront tls(PublisherStandIn backend, SSLContext context, boolean needClientAuth) {
		try {
			SSLServerSocket secure = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
					InetAddress.getLoopbackAddress());
			secure.setNeedClientAuth(needClientAuth);
			return new RawBarFront(backend, secure, Bar.ACCEPTED);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	String base() {
		return (socket instanceof SSLServerSocket ? "https" : "http") + "://localhost:" + socket.getLocalPort() + "/fhir";
	}

	void behave(PublisherStandIn.Behaviour behaviour) {
		backend.behave(behaviour);
	}

	/** What reached the stand-in: path and query as it received them. */
	List<String> requests() {
		return backend.requests();
	}

	private void accept() {
		while (!socket.isClosed()) {
			try {
				Socket client = socket.accept();
				threads.execute(() -> relay(client));
			} catch (IOException e) {
				// closed
			}
		}
	}

	private void relay(Socket client) {
		try (client) {
			if (client instanceof SSLSocket secure) {
				secure.startHandshake(); // a refused client certificate ends here, as at the stand-in itself
			}
			InputStream in = client.getInputStream();
			String line = requestLine(in);
			if (line == null) {
				return;
			}
			if (line.contains("|") && bar == Bar.REFUSED) {
				byte[] page = ("<!doctype html><html lang=\"en\"><head><title>HTTP Status 400 – Bad Request</title></head><body>"
						+ "<h1>HTTP Status 400 – Bad Request</h1><p>Invalid character found in the request target "
						+ "[" + line.split(" ")[1] + "]. The valid characters are defined in RFC 7230 and RFC 3986</p></body></html>")
						.getBytes(StandardCharsets.UTF_8);
				OutputStream out = client.getOutputStream();
				out.write(("HTTP/1.1 400 \r\nContent-Type: text/html;charset=utf-8\r\nContent-Language: en\r\nContent-Length: "
						+ page.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
				out.write(page);
				out.flush();
				return;
			}
			try (Socket server = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
				server.getOutputStream().write((line.replace("|", "%7C") + "\n").getBytes(StandardCharsets.ISO_8859_1));
				java.util.concurrent.Future<?> answers = threads.submit(() -> {
					try {
						server.getInputStream().transferTo(client.getOutputStream());
					} catch (IOException e) {
						// one side went away
					} finally {
						close(client);
					}
				});
				try {
					in.transferTo(server.getOutputStream());
				} catch (IOException e) {
					// one side went away
				} finally {
					try {
						server.shutdownOutput(); // the stand-in ends its side, and the answers' relay with it
					} catch (IOException e) {
						// already closed
					}
				}
				answers.get();
			}
		} catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
			// a refused handshake, or a side that went away
		}
	}

	/** The request line with its CRLF's CR (without the LF), null when the connection ended first. */
	private static String requestLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) >= 0 && b != '\n') {
			line.write(b);
		}
		return b < 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
	}

	private static void close(java.io.Closeable socket) {
		try {
			socket.close();
		} catch (IOException e) {
			// closing anyway
		}
	}

	@Override
	public void close() {
		close(socket);
		threads.shutdownNow();
		backend.close();
	}
}
