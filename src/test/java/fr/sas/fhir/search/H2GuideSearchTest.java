package fr.sas.fhir.search;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The slot searches on the embedded default, in a data directory of their own (the Lucene index takes a lock). */
class H2GuideSearchTest extends GuideSearchContract {

	@DynamicPropertySource
	static void embeddedDefault(DynamicPropertyRegistry registry) throws java.io.IOException {
		Path dataDir = Files.createTempDirectory("sas-h2-search-test");
		registry.add("sas.data-dir", dataDir::toString);
	}
}
