package fr.sas.fhir.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The embedded default (H2 file database + local Lucene) in a temporary data directory of each Spring context: the
 * method runs when a context is built, and two contexts on one directory would fight over H2's file and Lucene's
 * write lock.
 */
public abstract class H2ServerTest extends ServerTestBase {

	@DynamicPropertySource
	static void embeddedDefault(DynamicPropertyRegistry registry) {
		String dataDir = tempDir().toString();
		registry.add("sas.data-dir", () -> dataDir);
	}

	private static Path tempDir() {
		try {
			return Files.createTempDirectory("sas-h2-test");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
