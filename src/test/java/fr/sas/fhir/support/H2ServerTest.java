package fr.sas.fhir.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The embedded default (H2 file database + local Lucene) in a temporary data directory, one per test JVM. */
public abstract class H2ServerTest extends ServerTestBase {

	private static final Path DATA_DIR = tempDir();

	@DynamicPropertySource
	static void embeddedDefault(DynamicPropertyRegistry registry) {
		registry.add("sas.data-dir", DATA_DIR::toString);
	}

	private static Path tempDir() {
		try {
			return Files.createTempDirectory("sas-h2-test");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
