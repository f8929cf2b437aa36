package fr.sas.fhir.monitoring;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A webhook receiver for the tests: records each delivery (notice id and body); "down" answers 503 to everything. */
final class WebhookReceiver {

	record Delivery(String notice, String body) {}

	private final HttpServer server;
	private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
	private volatile boolean down;

	WebhookReceiver() {
		try {
			server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 20);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		server.createContext("/hook", exchange -> {
			byte[] body = exchange.getRequestBody().readAllBytes();
			if (down) {
				exchange.sendResponseHeaders(503, -1);
			} else {
				deliveries.add(new Delivery(exchange.getRequestHeaders().getFirst("X-Sas-Notice-Id"),
						new String(body, StandardCharsets.UTF_8)));
				exchange.sendResponseHeaders(204, -1);
			}
			exchange.close();
		});
		server.start();
	}

	String url() {
		return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
	}

	void down(boolean down) {
		this.down = down;
	}

	/** What was delivered about one alert, in order. */
	List<Delivery> about(String issueId) {
		return deliveries.stream().filter(d -> d.body().contains("DetectedIssue/" + issueId + "\"")).toList();
	}
}
