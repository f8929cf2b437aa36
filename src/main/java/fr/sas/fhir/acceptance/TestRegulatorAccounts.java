package fr.sas.fhir.acceptance;

import ca.uhn.fhir.context.FhirContext;
import fr.sas.fhir.common.NationalIdentifiers;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Practitioner;

/**
 * The regulator accounts one acceptance run writes into the publisher's system, marked as tests wherever the guide's
 * body lets us: the name ("RECETTE-SAS", "Compte de test acceptance"), an e-mail on the reserved {@code .invalid}
 * domain (nothing can be sent there), fresh SAS technical identifiers (UUIDs) and a national identifier in a range
 * kept for the acceptance ({@code 89998} then 7 digits, apart from the {@code 89999...} identifiers the searches ask
 * for as held by nobody). Fresh per run: a second run must not meet the first one's accounts (a re-attributed
 * national identifier stays with its active account).
 */
record TestRegulatorAccounts(String first, String second, String national) {

	static final String SAS_SYSTEM = "urn:oid:1.2.250.1.213.3.6";
	static final String PROFILE = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul";
	private static final String FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203";

	static TestRegulatorAccounts fresh() {
		return new TestRegulatorAccounts(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
				"89998" + String.format("%07d", ThreadLocalRandom.current().nextInt(10_000_000)));
	}

	/** The guide's body ({@code ExamplePractitionerRegul1..4}): one identifier, technical or national. */
	byte[] body(FhirContext fhirContext, String system, String value, boolean active, String mailTag) {
		Practitioner account = new Practitioner();
		account.getMeta().setSource(SAS_SYSTEM).addProfile(PROFILE);
		boolean national = NationalIdentifiers.IDNPS_SYSTEM.equals(system);
		Identifier identifier = account.addIdentifier().setSystem(system).setValue(value);
		identifier.getType().addCoding().setSystem(FR_V2_0203).setCode(national ? "IDNPS" : "INTRN");
		account.setActive(active);
		account.addName().setFamily("RECETTE-SAS").addGiven("Compte de test acceptance");
		account.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL)
				.setValue("recette-sas." + mailTag + "@acceptance.invalid");
		return fhirContext.newJsonParser().encodeResourceToString(account).getBytes(StandardCharsets.UTF_8);
	}
}
