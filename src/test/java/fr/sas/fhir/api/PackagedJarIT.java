package fr.sas.fhir.api;

import static fr.sas.fhir.support.SasTestData.cptsOrganization;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.RawHttp;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Organization;
import org.junit.jupiter.api.Test;

/**
 * The README's run command as a newcomer types it: the packaged jar, started as a separate process from a fresh
 * empty working directory with no argument but a free port. It serves {@code /fhir/metadata}, reports UP, stores
 * a resource under {@code ./data/}, and after a stop and a start in the same directory gives it back. Runs in
 * Maven's integration-test phase (failsafe), after {@code package} built the jar named by {@code sas.jar}.
 */
class PackagedJarIT {

	private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

	@Test
	void theDocumentedRunCommandStartsFromAnEmptyDirectoryAndKeepsItsData() throws Exception {
		Path jar = Path.of(System.getProperty("sas.jar", "target/sas-fhir-server.jar")).toAbsolutePath();
		assertThat(jar).as("the packaged jar (mvn package)").exists();
		Path workingDirectory = Files.createTempDirectory("sas-newcomer");
		int port = freePort();
		FhirHttp fhir = new FhirHttp("http://localhost:" + port + "/fhir");
		String finess = "1" + String.valueOf(System.nanoTime()).substring(0, 9);

		Process first = start(jar, workingDirectory, port, "first.log");
		try {
			awaitMetadata(fhir, first, workingDirectory.resolve("first.log"));
			FhirHttp.Response health = new FhirHttp("http://localhost:" + port, "application/json").get("/actuator/health");
			assertThat(health.status()).isEqualTo(200);
			assertThat(health.body()).contains("\"status\":\"UP\"");
			FhirHttp.Response written = fhir.put("/Organization/newcomer", cptsOrganization("newcomer", finess));
			assertThat(written.status()).as(written.toString()).isIn(200, 201);
			// A guide URL sent as printed (raw '|') reaches FHIR.
			RawHttp.Response raw = new RawHttp(fhir.base()).get("/Organization?identifier=urn:oid:1.2.250.1.71.4.2.2|" + finess);
			assertThat(raw.status()).as(raw.toString()).isEqualTo(200);
			assertThat(raw.bundle().getTotal()).isEqualTo(1);
		} finally {
			stop(first);
		}
		assertThat(workingDirectory.resolve("data/h2")).as("the embedded database under ./data/").isDirectory();
		assertThat(workingDirectory.resolve("data/lucene")).as("the index under ./data/").isDirectory();

		Process second = start(jar, workingDirectory, port, "second.log");
		try {
			awaitMetadata(fhir, second, workingDirectory.resolve("second.log"));
			FhirHttp.Response read = fhir.get("/Organization/newcomer");
			assertThat(read.status()).as(read.toString()).isEqualTo(200);
			assertThat(((Organization) read.resource()).getIdentifierFirstRep().getValue()).isEqualTo(finess);
		} finally {
			stop(second);
		}
	}

	private static Process start(Path jar, Path workingDirectory, int port, String log) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return new ProcessBuilder(List.of(java, "-jar", jar.toString(), "--server.port=" + port))
				.directory(workingDirectory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(workingDirectory.resolve(log).toFile())
				.start();
	}

	/** Polls {@code /fhir/metadata} until it answers 200; fails at once if the process ends first. */
	private static void awaitMetadata(FhirHttp fhir, Process process, Path log) throws Exception {
		Instant deadline = Instant.now().plus(START_TIMEOUT);
		while (Instant.now().isBefore(deadline)) {
			if (!process.isAlive()) {
				throw new AssertionError("the server stopped with exit code " + process.exitValue() + ":\n" + tail(log));
			}
			try {
				if (fhir.get("/metadata").status() == 200) {
					return;
				}
			} catch (RuntimeException notListeningYet) {
				// connection refused until the port opens
			}
			process.waitFor(500, TimeUnit.MILLISECONDS);
		}
		throw new AssertionError("no /fhir/metadata within " + START_TIMEOUT + ":\n" + tail(log));
	}

	private static void stop(Process process) throws InterruptedException {
		process.destroy(); // SIGTERM: Spring's graceful shutdown closes the database
		if (!process.waitFor(2, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new AssertionError("the server did not stop within 2 minutes of SIGTERM");
		}
	}

	private static String tail(Path log) throws IOException {
		List<String> lines = Files.readAllLines(log);
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}
}
