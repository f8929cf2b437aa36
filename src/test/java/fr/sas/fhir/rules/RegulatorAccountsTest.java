package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Identifier;
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

	private String idOf(Response response) {
		return response.resource().getIdElement().getIdPart();
	}

	private int accounts(String system, String value) {
		return fhir().get("/Practitioner?identifier=" + system + "|" + value + "&_profile=" + SD + "FrPractitionerRegul")
				.bundle().getTotal();
	}

	private static Practitioner deactivated(Practitioner account) {
		account.setActive(false);
		return account;
	}

	private Identifier national(String accountId, String rpps) {
		return ((Practitioner) fhir().get("/Practitioner/" + accountId).resource()).getIdentifier().stream()
				.filter(i -> rpps.equals(i.getValue())).findFirst().orElseThrow();
	}

	@Test
	void aSecondPostOfAnAccountIsRefusedEvenWhenIdentical() throws Exception {
		String technical = UUID.randomUUID().toString();
		Response first = fhir().post("/Practitioner", regulator(SAS_SYSTEM, technical));
		assertThat(first.status()).as(first.toString()).isEqualTo(201);
		Response retry = fhir().post("/Practitioner", regulator(SAS_SYSTEM, technical));
		assertThat(retry.status()).as("the ANS kit refuses a second creation").isEqualTo(409);
		assertThat(retry.outcome().getIssueFirstRep().getExpression()).extracting(Object::toString)
				.containsExactly("Practitioner.identifier");
		assertThat(retry.outcome().getIssueFirstRep().getDiagnostics())
				.contains(SAS_SYSTEM + "|" + technical, idOf(first), "PUT Practitioner?identifier=" + SAS_SYSTEM + "|" + technical);

		Practitioner renamed = regulator(SAS_SYSTEM, technical);
		renamed.getNameFirstRep().setFamily("Loridon-Martin");
		Response conflict = fhir().post("/Practitioner", renamed);
		assertThat(conflict.status()).as(conflict.toString()).isEqualTo(409);
		assertThat(conflict.outcome().getIssueFirstRep().getDetails().getCodingFirstRep().getCode())
				.isEqualTo("SAS-regulator-identifier");
		assertThat(accounts(SAS_SYSTEM, technical)).isEqualTo(1);
		assertThat(((Practitioner) fhir().get("/Practitioner/" + idOf(first)).resource()).getMeta().getVersionId())
				.as("nothing written").isEqualTo("1");
		// The account can still be updated and deactivated by its identifier.
		Response updated = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical, deactivated(renamed));
		assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
		assertThat(idOf(updated)).isEqualTo(idOf(first));

		// Concurrent identical POSTs of a new account: one creates it, the others are refused.
		String another = UUID.randomUUID().toString();
		ExecutorService pool = Executors.newFixedThreadPool(6);
		try {
			List<Future<Response>> posts = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				posts.add(pool.submit(() -> fhir().post("/Practitioner", regulator(SAS_SYSTEM, another))));
			}
			List<Integer> statuses = new ArrayList<>();
			for (Future<Response> post : posts) {
				statuses.add(post.get(2, TimeUnit.MINUTES).status());
			}
			assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
		} finally {
			pool.shutdownNow();
		}
		assertThat(accounts(SAS_SYSTEM, another)).isEqualTo(1);
	}

	/** The ANS kit's regulator body (its helper {@code build_regulateur_body}): one identifier, one e-mail. */
	private static byte[] kitBody(String system, String value, String mail) {
		String code = IDNPS_SYSTEM.equals(system) ? "IDNPS" : "INTRN";
		return ("""
				{
				  "resourceType": "Practitioner",
				  "id": "example-regulator-1",
				  "meta": {
				    "source": "urn:oid:1.2.250.1.213.3.6",
				    "profile": [
				      "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul"
				    ]
				  },
				  "identifier": [
				    {
				      "type": {
				        "coding": [
				          {
				            "system": "http://interopsante.org/fhir/CodeSystem/fr-v2-0203",
				            "code": "%s"
				          }
				        ]
				      },
				      "system": "%s",
				      "value": "%s"
				    }
				  ],
				  "active": true,
				  "name": [
				    {
				      "family": "Loridon",
				      "given": [
				        "Sébastien"
				      ]
				    }
				  ],
				  "telecom": [
				    {
				      "system": "email",
				      "value": "%s"
				    }
				  ]
				}""").formatted(code, system, value, mail).getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void theAnsKitsDoubleCreationIsRefused() {
		// creation_double_regulateur_uuid_test: fhir_create twice, the second must be 4xx.
		String uuid = UUID.randomUUID().toString();
		byte[] body = kitBody(SAS_SYSTEM, uuid, uuid + "sebastien.loridon@test.com");
		RawHttp raw = new RawHttp(fhir().base());
		String[] headers = {"Content-Type: application/fhir+json", "Accept: application/fhir+json"};
		RawHttp.Response first = raw.send("POST", "/Practitioner", body, headers);
		assertThat(first.status()).as(first.toString()).isEqualTo(201);
		RawHttp.Response second = raw.send("POST", "/Practitioner", body, headers);
		assertThat(second.status()).as(second.toString()).isEqualTo(409);
		assertThat(second.outcome().getIssueFirstRep().getDiagnostics())
				.contains("PUT Practitioner?identifier=" + SAS_SYSTEM + "|" + uuid);
		assertThat(accounts(SAS_SYSTEM, uuid)).isEqualTo(1);
	}

	@Test
	void theAnsKitsUpdateNamingTheTechnicalValueUnderTheNationalSystemCreatesTheAccountOfItsBody() {
		// modification_typeid_regulateur_test as the issue saw it sent: the national system with the SAS technical
		// UUID in the URL (percent-encoded by Ruby's URI.encode_www_form), the national identifier in the body.
		String uuid = UUID.randomUUID().toString();
		String rpps = "3456780581/" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000").substring(0, 8);
		RawHttp raw = new RawHttp(fhir().base());
		RawHttp.Response account = raw.send("POST", "/Practitioner", kitBody(SAS_SYSTEM, uuid, "uuid.sebastien.loridon@test.com"),
				"Content-Type: application/fhir+json", "Accept: application/fhir+json");
		assertThat(account.status()).as(account.toString()).isEqualTo(201);

		String[] headers = {"content-type: application/json", "Accept: application/json+fhir"};
		RawHttp.Response put = raw.send("PUT", "/Practitioner?identifier=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C" + uuid,
				kitBody(IDNPS_SYSTEM, rpps, uuid + "sebastien.loridon@test.com"), headers);
		assertThat(put.status()).as(put.toString()).isBetween(200, 299);
		assertThat(accounts(IDNPS_SYSTEM, rpps)).as("the body's identifier names the account").isEqualTo(1);
		Practitioner stored = (Practitioner) fhir().get("/Practitioner/" + put.resource().getIdElement().getIdPart()).resource();
		assertThat(stored.getTelecomFirstRep().getValue()).isEqualTo(uuid + "sebastien.loridon@test.com");

		// The same request again updates that account (idempotent), never a second one.
		RawHttp.Response again = raw.send("PUT", "/Practitioner?identifier=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C" + uuid,
				kitBody(IDNPS_SYSTEM, rpps, "again." + uuid + "sebastien.loridon@test.com"), headers);
		assertThat(again.status()).as(again.toString()).isEqualTo(200);
		assertThat(again.resource().getIdElement().getIdPart()).isEqualTo(put.resource().getIdElement().getIdPart());
		assertThat(accounts(IDNPS_SYSTEM, rpps)).isEqualTo(1);

		// The kit's other form, the technical system with the technical value: the account it names takes the
		// national identifier, unless an active account holds it (409, nothing written).
		RawHttp.Response taken = raw.send("PUT", "/Practitioner?identifier=urn%3Aoid%3A1.2.250.1.213.3.6%7C" + uuid,
				kitBody(IDNPS_SYSTEM, rpps, uuid + "sebastien.loridon@test.com"), headers);
		assertThat(taken.status()).as(taken.toString()).isEqualTo(409);
		assertThat(taken.outcome().getIssueFirstRep().getExpression()).extracting(Object::toString)
				.containsExactly("Practitioner.identifier");
		assertThat(accounts(SAS_SYSTEM, uuid)).isEqualTo(1);
		assertThat(((Practitioner) fhir().get("/Practitioner/" + account.resource().getIdElement().getIdPart()).resource())
				.getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void theAnsKitsReattributionStillPasses() {
		// idnps_reattribution_test: deactivate the national account, create a new one by UUID, give it the RPPS.
		String rpps = "3456780581/" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000").substring(0, 8);
		RawHttp raw = new RawHttp(fhir().base());
		String[] create = {"Content-Type: application/fhir+json", "Accept: application/fhir+json"};
		String[] headers = {"content-type: application/json", "Accept: application/json+fhir"};
		assertThat(raw.send("POST", "/Practitioner", kitBody(IDNPS_SYSTEM, rpps, "sebastien.loridon@test.com"), create).status())
				.isEqualTo(201);
		byte[] off = new String(kitBody(IDNPS_SYSTEM, rpps, "sebastien.loridon@test.com"), StandardCharsets.UTF_8)
				.replace("\"active\": true", "\"active\": false").getBytes(StandardCharsets.UTF_8);
		RawHttp.Response deactivated = raw.send("PUT", "/Practitioner?identifier=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C"
				+ rpps.replace("/", "%2F"), off, headers);
		assertThat(deactivated.status()).as(deactivated.toString()).isEqualTo(200);
		String uuid = UUID.randomUUID().toString();
		RawHttp.Response account = raw.send("POST", "/Practitioner", kitBody(SAS_SYSTEM, uuid, uuid + ".sebastien.loridon@test.com"), create);
		assertThat(account.status()).isEqualTo(201);
		RawHttp.Response moved = raw.send("PUT", "/Practitioner?identifier=urn%3Aoid%3A1.2.250.1.213.3.6%7C" + uuid,
				kitBody(IDNPS_SYSTEM, rpps, uuid + ".sebastien.loridon@test.com"), headers);
		assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
		assertThat(moved.resource().getIdElement().getIdPart()).isEqualTo(account.resource().getIdElement().getIdPart());
		assertThat(national(deactivated.resource().getIdElement().getIdPart(), rpps).getUse()).isEqualTo(Identifier.IdentifierUse.OLD);
	}

	@Test
	void aDeactivatedAccountGivesItsNationalIdentifierUpToTheAccountTheUrlNames() {
		String rpps = rpps();
		String technical = UUID.randomUUID().toString();
		Response old = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, regulator(IDNPS_SYSTEM, rpps));
		assertThat(old.status()).isEqualTo(201);
		assertThat(fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps,
				deactivated(regulator(IDNPS_SYSTEM, rpps))).status()).isEqualTo(200);
		Response account = fhir().post("/Practitioner", regulator(SAS_SYSTEM, technical));
		assertThat(account.status()).isEqualTo(201);

		// The platform names the account by its technical identifier and attaches the national one (FAQ's curl, raw '|').
		byte[] body = FhirHttp.CTX.newJsonParser().encodeResourceToString(regulator(IDNPS_SYSTEM, rpps, SAS_SYSTEM, technical))
				.getBytes(StandardCharsets.UTF_8);
		RawHttp.Response attached = new RawHttp(fhir().base()).send("PUT",
				"/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical, body,
				"Content-Type: application/fhir+json", "Accept: application/json+fhir");
		assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
		assertThat(attached.resource().getIdElement().getIdPart()).isEqualTo(idOf(account));
		assertThat(attached.headers().get("x-fhir-request-validation")).contains("SAS-regulator-identifier-moved", idOf(old));

		Identifier givenUp = national(idOf(old), rpps);
		assertThat(givenUp.getUse()).isEqualTo(Identifier.IdentifierUse.OLD);
		assertThat(givenUp.getPeriod().hasEnd()).isTrue();
		assertThat(fhir().get("/Practitioner/" + idOf(old) + "/_history").bundle().getTotal()).as("recorded").isEqualTo(3);
		assertThat(national(idOf(account), rpps).getUse()).isNotEqualTo(Identifier.IdentifierUse.OLD);

		// From now on the national identifier names that account alone.
		Practitioner renamed = regulator(IDNPS_SYSTEM, rpps, SAS_SYSTEM, technical);
		renamed.getNameFirstRep().setFamily("Loridon-Martin");
		Response byNational = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, renamed);
		assertThat(byNational.status()).as(byNational.toString()).isEqualTo(200);
		assertThat(idOf(byNational)).isEqualTo(idOf(account));
	}

	@Test
	void aUrlNamingTheNationalIdentifierOfADeactivatedAccountUpdatesTheActiveAccountTheBodyDescribes() {
		String rpps = rpps();
		String technical = UUID.randomUUID().toString();
		Response old = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps,
				deactivated(regulator(IDNPS_SYSTEM, rpps)));
		assertThat(old.status()).isEqualTo(201);
		Response account = fhir().post("/Practitioner", regulator(SAS_SYSTEM, technical));

		Response attached = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps,
				regulator(IDNPS_SYSTEM, rpps, SAS_SYSTEM, technical));
		assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
		assertThat(idOf(attached)).isEqualTo(idOf(account));
		assertThat(national(idOf(old), rpps).getUse()).isEqualTo(Identifier.IdentifierUse.OLD);
		assertThat(accounts(SAS_SYSTEM, technical)).isEqualTo(1);
	}

	@Test
	void anActiveAccountKeepsItsNationalIdentifier() {
		String rpps = rpps();
		String technical = UUID.randomUUID().toString();
		Response holder = fhir().put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, regulator(IDNPS_SYSTEM, rpps));
		Response other = fhir().post("/Practitioner", regulator(SAS_SYSTEM, technical));

		Response refused = fhir().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + technical,
				regulator(IDNPS_SYSTEM, rpps, SAS_SYSTEM, technical));
		assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
		assertThat(refused.outcome().getIssueFirstRep().getDetails().getCodingFirstRep().getCode())
				.isEqualTo("SAS-regulator-identifier");
		assertThat(refused.outcome().getIssueFirstRep().getDiagnostics()).contains(idOf(holder));
		assertThat(national(idOf(holder), rpps).getUse()).isNotEqualTo(Identifier.IdentifierUse.OLD);
		assertThat(((Practitioner) fhir().get("/Practitioner/" + idOf(other)).resource()).getIdentifier()).hasSize(1);
	}
}
