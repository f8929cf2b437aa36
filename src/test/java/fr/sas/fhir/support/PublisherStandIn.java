package fr.sas.fhir.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * A publisher's FHIR endpoint on the loopback address, as tests need it: over plain http, TLS or mutual TLS, answering
 * what its behaviour says (this server's own answer for the practitioners it owns, altered or not; an error; HTML;
 * after a delay; never), or dropping every connection. It counts and keeps the requests it receives (raw path and
 * query, as sent).
 */
public final class PublisherStandIn implements AutoCloseable {

	/** What one request gets; {@code location} the {@code Location} header, null for none. */
	public record Answer(int status, String contentType, byte[] body, Duration delay, boolean hangs, String location) {

		public Answer(int status, String contentType, byte[] body, Duration delay, boolean hangs) {
			this(status, contentType, body, delay, hangs, null);
		}

		public static Answer json(String body) {
			return new Answer(200, "application/fhir+json;charset=UTF-8", body.getBytes(StandardCharsets.UTF_8), Duration.ZERO, false);
		}

		public static Answer status(int status) {
			return new Answer(status, "application/fhir+json", ("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":"
					+ "\"error\",\"code\":\"exception\",\"diagnostics\":\"stand-in failure\"}]}").getBytes(StandardCharsets.UTF_8),
					Duration.ZERO, false);
		}

		public static Answer html() {
			return new Answer(200, "text/html", "<html><body>Maintenance en cours</body></html>".getBytes(StandardCharsets.UTF_8),
					Duration.ZERO, false);
		}

		public static Answer hang() {
			return new Answer(200, "application/fhir+json", new byte[0], Duration.ZERO, true);
		}

		public Answer after(Duration delay) {
			return new Answer(status, contentType, body, delay, hangs, location);
		}
	}

	/** One request as received: method, path and query (undecoded), Content-Type and body. */
	public record Request(String method, String target, String contentType, byte[] body) {}

	/** How the stand-in answers a request ({@code pathAndQuery} as received, undecoded). */
	public interface Behaviour {
		Answer answer(String pathAndQuery) throws Exception;

		/** The whole request; by default only its path and query count (a read). */
		default Answer answer(Request request) throws Exception {
			return answer(request.target());
		}
	}

	private final HttpServer server;
	private final ServerSocket dropping;
	private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
		Thread t = new Thread(r, "publisher-stand-in");
		t.setDaemon(true);
		return t;
	});
	private final CountDownLatch closed = new CountDownLatch(1);
	private final List<String> requests = new CopyOnWriteArrayList<>();
	private final List<String> clientCertificates = new CopyOnWriteArrayList<>();
	private volatile Behaviour behaviour;

	private PublisherStandIn(HttpServer server, ServerSocket dropping, Behaviour behaviour) {
		this.server = server;
		this.dropping = dropping;
		this.behaviour = behaviour;
	}

	public static PublisherStandIn http(Behaviour behaviour) {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
			return started(server, behaviour);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Over TLS with {@code context}'s certificate; {@code needClientAuth}: mutual TLS. */
	public static PublisherStandIn https(SSLContext context, boolean needClientAuth, Behaviour behaviour) {
		try {
			HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
			server.setHttpsConfigurator(new HttpsConfigurator(context) {
				@Override
				public void configure(HttpsParameters parameters) {
					var ssl = context.getDefaultSSLParameters();
					ssl.setNeedClientAuth(needClientAuth);
					parameters.setSSLParameters(ssl);
				}
			});
			return started(server, behaviour);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Accepts every connection, reads the request and closes the connection without a word. */
	public static PublisherStandIn dropping() {
		try {
			ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			PublisherStandIn standIn = new PublisherStandIn(null, socket, null);
			standIn.threads.execute(() -> {
				while (!socket.isClosed()) {
					try (Socket client = socket.accept()) {
						byte[] head = new byte[2048];
						int read = client.getInputStream().read(head);
						if (read > 0) {
							standIn.requests.add(new String(head, 0, read, StandardCharsets.ISO_8859_1).split(" ")[1]);
						}
					} catch (IOException e) {
						// closed
					}
				}
			});
			return standIn;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static PublisherStandIn started(HttpServer server, Behaviour behaviour) {
		PublisherStandIn standIn = new PublisherStandIn(server, null, behaviour);
		server.setExecutor(standIn.threads);
		server.createContext("/", standIn::handle);
		server.start();
		return standIn;
	}

	private void handle(HttpExchange exchange) throws IOException {
		String target = exchange.getRequestURI().getRawPath()
				+ (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
		requests.add(target);
		if (exchange instanceof com.sun.net.httpserver.HttpsExchange secure) {
			try {
				clientCertificates.add(secure.getSSLSession().getPeerPrincipal().getName());
			} catch (javax.net.ssl.SSLPeerUnverifiedException none) {
				clientCertificates.add("");
			}
		}
		try (exchange) {
			Request request = new Request(exchange.getRequestMethod(), target,
					exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes());
			Answer answer = behaviour.answer(request);
			if (answer.hangs()) {
				closed.await(10, TimeUnit.MINUTES);
				return;
			}
			if (!answer.delay().isZero()) {
				Thread.sleep(answer.delay().toMillis());
			}
			exchange.getResponseHeaders().add("Content-Type", answer.contentType());
			if (answer.location() != null) {
				exchange.getResponseHeaders().add("Location", answer.location());
			}
			exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
			if (answer.body().length > 0) {
				exchange.getResponseBody().write(answer.body());
			}
		} catch (Exception e) {
			if (e instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** The FHIR base: {@code http(s)://localhost:port/fhir}. */
	public String base() {
		int port = server != null ? server.getAddress().getPort() : dropping.getLocalPort();
		String scheme = server instanceof HttpsServer ? "https" : "http";
		return scheme + "://localhost:" + port + "/fhir";
	}

	public void behave(Behaviour next) {
		this.behaviour = next;
	}

	public int calls() {
		return requests.size();
	}

	/** Every request received, path and query as sent. */
	public List<String> requests() {
		return List.copyOf(requests);
	}

	/** The client certificate subject of each request over TLS ("" when none was presented). */
	public List<String> clientCertificates() {
		return List.copyOf(clientCertificates);
	}

	@Override
	public void close() {
		closed.countDown();
		if (server != null) {
			server.stop(0);
		}
		if (dropping != null) {
			try {
				dropping.close();
			} catch (IOException e) {
				// closing anyway
			}
		}
		threads.shutdownNow();
	}

	/**
	 * Answers as a publisher holding the agendas this server stores for {@code owned} practitioners (or associations):
	 * the request goes to {@code server} (the store's path: it carries the aggregator's header) with only the owned
	 * identifiers, and the answer comes back with the stand-in's base in place of the server's. A request naming none of
	 * them gets an empty searchset. {@code alter} may change the answer's JSON.
	 */
	public static Behaviour owning(String server, List<String> owned, UnaryOperator<String> alter, String ownBase) {
		HttpClient client = HttpClient.newHttpClient();
		return target -> {
			String query = target.substring(target.indexOf('?') + 1);
			StringBuilder rewritten = new StringBuilder();
			boolean any = false;
			for (String parameter : query.split("&")) {
				String name = parameter.substring(0, parameter.indexOf('='));
				String value = parameter.substring(parameter.indexOf('=') + 1);
				if (name.endsWith(".identifier")) {
					StringBuilder kept = new StringBuilder();
					for (String id : value.split(",")) {
						String decoded = java.net.URLDecoder.decode(id, StandardCharsets.UTF_8);
						if (owned.stream().anyMatch(o -> decoded.equals(o) || decoded.endsWith("|" + o))) {
							kept.append(kept.length() == 0 ? "" : ",").append(id);
						}
					}
					any = kept.length() > 0;
					value = kept.toString();
				}
				rewritten.append(rewritten.length() == 0 ? "" : "&").append(name).append('=').append(value);
			}
			String path = target.substring(target.indexOf("/fhir/") + "/fhir/".length(), target.indexOf('?'));
			if (!any) {
				return Answer.json("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}");
			}
			HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(server + "/" + path + "?" + rewritten))
					.header("X-Sas-Aggregated-By", "stand-in").header("Accept", "application/fhir+json").build(),
					HttpResponse.BodyHandlers.ofString());
			String body = answer.body().replace(server + "/", ownBase + "/");
			return new Answer(answer.statusCode(), "application/fhir+json;charset=UTF-8",
					alter.apply(body).getBytes(StandardCharsets.UTF_8), Duration.ZERO, false);
		};
	}

	/** A plain-http stand-in answering as {@link #owning} says. */
	public static PublisherStandIn owning(String server, List<String> owned, UnaryOperator<String> alter) {
		PublisherStandIn standIn = http(target -> Answer.status(503));
		standIn.behave(owning(server, owned, alter, standIn.base()));
		return standIn;
	}
}
