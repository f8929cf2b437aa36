package fr.sas.fhir.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar (built by {@code package}, named by the {@code sas.jar} property failsafe sets) run as a
 * separate process, as an operator runs it: started in a working directory, awaited on {@code /fhir/metadata},
 * stopped by SIGTERM, or killed.
 */
public final class ServerProcess {

	private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

	private final Process process;
	private final Path log;
	public final int port;

	private ServerProcess(Process process, Path log, int port) {
		this.process = process;
		this.log = log;
		this.port = port;
	}

	public static Path jar() {
		return Path.of(System.getProperty("sas.jar", "target/sas-fhir-server.jar")).toAbsolutePath();
	}

	/** {@code java -jar <jar> --server.port=<port> <arguments>} in {@code workingDirectory}, its output in {@code log}. */
	public static ServerProcess start(Path workingDirectory, int port, String log, String... arguments) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-jar", jar().toString(), "--server.port=" + port));
		command.addAll(List.of(arguments));
		Path logFile = workingDirectory.resolve(log);
		Process process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true)
				.redirectOutput(logFile.toFile()).start();
		return new ServerProcess(process, logFile, port);
	}

	public FhirHttp fhir() {
		return new FhirHttp("http://localhost:" + port + "/fhir");
	}

	/** Polls {@code /fhir/metadata} until it answers 200; fails at once if the process ends first. */
	public ServerProcess awaitMetadata() throws Exception {
		return await200(fhir(), "/metadata", "no /fhir/metadata");
	}

	/**
	 * Polls {@code /actuator/health/readiness} until it answers 200: the server serves as soon as it listens, and
	 * reports ready once its warm-up has run (README, "Operating the embedded default").
	 */
	public ServerProcess awaitReady() throws Exception {
		return await200(new FhirHttp("http://localhost:" + port, "application/json"), "/actuator/health/readiness", "not ready");
	}

	private ServerProcess await200(FhirHttp client, String path, String failure) throws Exception {
		Instant deadline = Instant.now().plus(START_TIMEOUT);
		while (Instant.now().isBefore(deadline)) {
			if (!process.isAlive()) {
				throw new AssertionError("the server stopped with exit code " + process.exitValue() + ":\n" + tail());
			}
			try {
				if (client.get(path).status() == 200) {
					return this;
				}
			} catch (RuntimeException notListeningYet) {
				// connection refused until the port opens
			}
			process.waitFor(500, TimeUnit.MILLISECONDS);
		}
		throw new AssertionError(failure + " within " + START_TIMEOUT + ":\n" + tail());
	}

	/** SIGTERM: Spring's graceful shutdown closes the database. */
	public void stop() throws InterruptedException {
		process.destroy();
		if (!process.waitFor(2, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new AssertionError("the server did not stop within 2 minutes of SIGTERM");
		}
	}

	/** SIGKILL: no shutdown of any kind, as a crash. */
	public void kill() throws InterruptedException {
		process.destroyForcibly();
		process.waitFor(1, TimeUnit.MINUTES);
	}

	public String tail() throws IOException {
		List<String> lines = Files.readAllLines(log);
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
	}

	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}
}
