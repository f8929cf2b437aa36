package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.H2ServerTest;
import java.util.UUID;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;

/** INT_R02: regulator accounts by national or SAS technical identifier, apart from the publishers' cards. */
class RegulatorAccountsTest extends H2ServerTest {

	private static Practitioner regulator(String... identifiers) {
		Practitioner p = new Practitioner();
		p.setId("ExamplePractitionerRegulX"); // bodies carry the sender's id; the conditional URL decides
		p.getMeta().setSource(SAS_SYSTEM).addProfile(SD + "FrPractitionerRegul");
		for (int i = 0; i < identifiers.length; i += 2) {
			String code = identifiers[i].equals(SAS_SYSTEM) ? "INTRN" : "IDNPS";
			p.addIdentifier(identifier(FR_V2_0203, code, identifiers[i], identifiers[i + 1]));
		}
		p.setActive(true);
		p.addName().setFamily("Loridon").addGiven("Sébastien");
		p.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("s.loridon@example.fr");
		return p;
	}

	private static String rpps() {
		return "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
	}

	@Test
	void anUnknownAccountIsCreatedByTheConditionalUpdateAndDeactivatedInPlace() {
		String technical = UUID.randomUUID().toString();
		Response created = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical, regulator(SAS_SYSTEM, technical));
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		String id = created.resource().getIdElement().getIdPart();

		Practitioner deactivated = regulator(SAS_SYSTEM, technical);
		deactivated.setActive(false);
		Response updated = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical, deactivated);
		assertThat(updated.status()).isEqualTo(200);
		assertThat(updated.resource().getIdElement().getIdPart()).isEqualTo(id);
		assertThat(((Practitioner) fhir().get("/Practitioner/" + id).resource()).getActive()).isFalse();
	}

	@Test
	void attachingTheNationalIdentifierUpdatesTheAccountKnownByItsTechnicalIdentifier() {
		String technical = UUID.randomUUID().toString();
		String rpps = rpps();
		Response created = fhir().post("/Practitioner", regulator(SAS_SYSTEM, technical));
		assertThat(created.status()).isEqualTo(201);
		String id = created.resource().getIdElement().getIdPart();

		// The platform names the account by the national identifier it now attaches.
		Response attached = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps,
				regulator(IDNPS_SYSTEM, rpps, SAS_SYSTEM, technical));
		assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
		assertThat(attached.resource().getIdElement().getIdPart()).isEqualTo(id);
		assertThat(fhir().get("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical).bundle().getTotal()).isEqualTo(1);
		assertThat(fhir().get("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps).bundle().getTotal()).isEqualTo(1);
	}

	@Test
	void theGuidesRegulatorExamplesAreVersionsOfTwoAccounts() {
		java.util.Map<String, Practitioner> examples = new java.util.HashMap<>();
		fr.sas.fhir.support.SharedIg.standaloneExamples().stream()
				.filter(r -> r instanceof Practitioner && r.getIdElement().getIdPart().startsWith("ExamplePractitionerRegul"))
				.forEach(r -> examples.put(r.getIdElement().getIdPart(), (Practitioner) r));
		// Fresh identifiers, so the test does not meet the examples stored by other suites of this server.
		String technical = UUID.randomUUID().toString();
		String national = "3" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "000000000").substring(0, 9) + "/1";
		String rpps = rpps();
		Practitioner regul4 = examples.get("ExamplePractitionerRegul4");
		regul4.getIdentifierFirstRep().setValue(technical);
		Practitioner regul1 = examples.get("ExamplePractitionerRegul1");
		regul1.getIdentifierFirstRep().setValue(national);

		// Regul4 is the account of Regul1 known by its SAS technical identifier.
		Response created = fhir().post("/Practitioner", regul4);
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		Response attached = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical, regul1);
		assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
		assertThat(attached.resource().getIdElement().getIdPart()).isEqualTo(created.resource().getIdElement().getIdPart());

		// Regul3 is Regul2 deactivated.
		Practitioner regul2 = examples.get("ExamplePractitionerRegul2");
		regul2.getIdentifierFirstRep().setValue(rpps);
		Practitioner regul3 = examples.get("ExamplePractitionerRegul3");
		regul3.getIdentifierFirstRep().setValue(rpps);
		Response account = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, regul2);
		assertThat(account.status()).isEqualTo(201);
		Response deactivated = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, regul3);
		assertThat(deactivated.status()).as(deactivated.toString()).isEqualTo(200);
		assertThat(deactivated.resource().getIdElement().getIdPart()).isEqualTo(account.resource().getIdElement().getIdPart());
		assertThat(((Practitioner) deactivated.resource()).getActive()).isFalse();
	}

	@Test
	void regulatorAccountsAndPublishersCardsWithTheSameRppsNeverMatchEachOther() {
		String rpps = rpps();
		String card = "card-" + UUID.randomUUID().toString().substring(0, 8);
		assertThat(fhir().put("/Practitioner/" + card, practitioner(card, rpps)).status()).isEqualTo(201);

		Response account = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, regulator(IDNPS_SYSTEM, rpps));
		assertThat(account.status()).as("the regulator account is not the publisher's card").isEqualTo(201);
		String accountId = account.resource().getIdElement().getIdPart();
		assertThat(accountId).isNotEqualTo(card);
		Practitioner cardNow = (Practitioner) fhir().get("/Practitioner/" + card).resource();
		assertThat(cardNow.getMeta().getVersionId()).isEqualTo("1");
		assertThat(cardNow.getMeta().getProfile()).extracting(CanonicalType::getValue)
				.containsExactly(LEGACY_SD + "FrPractitionerAgregateur");

		Practitioner publisherUpdate = practitioner("x", rpps);
		publisherUpdate.getNameFirstRep().setFamily("Martin-Durand");
		Response publisher = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, publisherUpdate);
		assertThat(publisher.status()).as(publisher.toString()).isEqualTo(200);
		assertThat(publisher.resource().getIdElement().getIdPart()).isEqualTo(card);
		assertThat(((Practitioner) fhir().get("/Practitioner/" + accountId).resource()).getNameFirstRep().getFamily())
				.isEqualTo("Loridon");
	}
}
