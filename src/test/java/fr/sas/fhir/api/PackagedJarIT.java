package fr.sas.fhir.api;

import static fr.sas.fhir.support.SasTestData.cptsOrganization;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.RawHttp;
import fr.sas.fhir.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.Organization;
import org.junit.jupiter.api.Test;

/**
 * The README's run command as a newcomer types it: the packaged jar, started as a separate process from a fresh
 * empty working directory with no argument but a free port. It serves {@code /fhir/metadata}, reports UP, stores
 * a resource under {@code ./data/}, and after a stop and a start in the same directory gives it back. Runs in
 * Maven's integration-test phase (failsafe), after {@code package} built the jar named by {@code sas.jar}.
 */
class PackagedJarIT {

	@Test
	void theDocumentedRunCommandStartsFromAnEmptyDirectoryAndKeepsItsData() throws Exception {
		assertThat(ServerProcess.jar()).as("the packaged jar (mvn package)").exists();
		Path workingDirectory = Files.createTempDirectory("sas-newcomer");
		int port = ServerProcess.freePort();
		String finess = "1" + String.valueOf(System.nanoTime()).substring(0, 9);

		ServerProcess first = ServerProcess.start(workingDirectory, port, "first.log").awaitMetadata();
		try {
			FhirHttp fhir = first.fhir();
			// It serves at once, and reports ready (so UP) once its warm-up has run.
			first.awaitReady();
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
			first.stop();
		}
		assertThat(workingDirectory.resolve("data/h2")).as("the embedded database under ./data/").isDirectory();
		assertThat(workingDirectory.resolve("data/lucene")).as("the index under ./data/").isDirectory();

		ServerProcess second = ServerProcess.start(workingDirectory, port, "second.log").awaitMetadata();
		try {
			FhirHttp.Response read = second.fhir().get("/Organization/newcomer");
			assertThat(read.status()).as(read.toString()).isEqualTo(200);
			assertThat(((Organization) read.resource()).getIdentifierFirstRep().getValue()).isEqualTo(finess);
		} finally {
			second.stop();
		}
	}
}
