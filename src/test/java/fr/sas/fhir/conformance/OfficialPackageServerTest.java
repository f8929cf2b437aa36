package fr.sas.fhir.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.ServerTestBase;
import fr.sas.fhir.support.SharedIg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An operator loads the official package instead: its definitions win, and writes validate against them. */
class OfficialPackageServerTest extends ServerTestBase {

	/** Runs before the context loads, so a missing package skips the class. */
	@BeforeAll
	static void requireOfficialPackage() {
		SharedIg.packageDir();
	}

	@DynamicPropertySource
	static void officialPackage(DynamicPropertyRegistry registry) throws IOException {
		Path data = Files.createTempDirectory("sas-official-test");
		registry.add("sas.data-dir", data::toString);
		registry.add("sas.ig.packages[0]", () -> SharedIg.packageDir().toString());
	}

	@Test
	void theOfficialDefinitionsReplaceTheProjectsAndFrCoreGetsStandIns() {
		Bundle sd = fhir().get("/StructureDefinition?url="
				+ "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-organization-aggregator").bundle();
		assertThat(sd.getTotal()).isEqualTo(1);
		assertThat(((StructureDefinition) sd.getEntryFirstRep().getResource()).getBaseDefinition())
				.as("the official profile derives from FR Core").isEqualTo("http://interopsante.org/fhir/StructureDefinition/FrOrganization");
		assertThat(fhir().get("/StructureDefinition?url=http://interopsante.org/fhir/StructureDefinition/FrContactPoint")
				.bundle().getTotal()).as("stand-in for an FR Core datatype profile").isEqualTo(1);
	}

	@Test
	void writesValidateAgainstTheOfficialProfiles() {
		Organization cpts = (Organization) SharedIg.read(SharedIg.packageDir().resolve("example/Organization-ExampleOrgaCPTS1.json"));
		Response accepted = fhir().put("/Organization/ExampleOrgaCPTS1", cpts);
		assertThat(accepted.status()).as(accepted.toString()).isIn(200, 201);

		cpts.getIdentifierFirstRep().setValue("334173748400020"); // a well-formed SIRET, not a FINESS
		Response refused = fhir().put("/Organization/ExampleOrgaCPTS1", cpts);
		assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
		assertThat(refused.outcome().getIssue()).anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
				&& i.getDiagnostics().contains("FINESS-invariant"));
	}
}
