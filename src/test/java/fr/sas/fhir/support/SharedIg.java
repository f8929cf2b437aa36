package fr.sas.fhir.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Resource;

/**
 * The official IG package in {@code ../shared/sas-ig/package}: the conformance oracle. Tests that need it call
 * {@link #packageDir()}, which skips them cleanly when it is absent (CI has it).
 */
public final class SharedIg {

	private SharedIg() {}

	public static Path packageDir() {
		String configured = System.getenv("SAS_SHARED_DIR");
		Path shared = configured != null ? Path.of(configured) : Path.of("..", "shared");
		Path dir = shared.resolve("sas-ig").resolve("package");
		assumeTrue(Files.isDirectory(dir), "official IG package not found at " + dir.toAbsolutePath());
		return dir;
	}

	public static List<Path> exampleFiles() {
		try (Stream<Path> files = Files.list(packageDir().resolve("example"))) {
			return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static Resource read(Path file) {
		try {
			return (Resource) FhirHttp.CTX.newJsonParser().parseResource(Files.readString(file));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The standalone examples (not the search Bundles), each a resource with its own id. */
	public static List<Resource> standaloneExamples() {
		return exampleFiles().stream()
				.map(SharedIg::read)
				.filter(r -> !(r instanceof org.hl7.fhir.r4.model.Bundle))
				.toList();
	}
}
