package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.H2ServerTest;
import fr.sas.fhir.support.Outcomes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;

/** Identity rules of the FAQ on the running server: strict writes, tolerant searches, prefixed answers. */
class IdentityRulesTest extends H2ServerTest {

	private static String id() {
		return "id-" + UUID.randomUUID().toString().substring(0, 8);
	}

	private static boolean refused(OperationOutcome outcome, String rule, String expression, String proposal) {
		return Outcomes.hasError(outcome, rule, expression, proposal);
	}

	@Test
	void anUnprefixedRppsIsRefusedWithTheCorrectedValueAndNothingIsStored() {
		String id = id();
		Response response = fhir().put("/Practitioner/" + id, practitioner(id, "10101288385"));
		assertThat(response.status()).as(response.toString()).isEqualTo(422);
		assertThat(refused(response.outcome(), "SAS-identifier-prefix", "Practitioner.identifier[0].value", "'810101288385'"))
				.as(response.toString()).isTrue();
		assertThat(fhir().get("/Practitioner/" + id).status()).isEqualTo(404);
	}

	@Test
	void unprefixedStructureIdentifiersAreRefusedWithTheirPrefix() {
		String sos = id();
		Response siret = fhir().put("/Organization/" + sos, sosOrganization(sos, "34173748400020"));
		assertThat(siret.status()).isEqualTo(422);
		assertThat(refused(siret.outcome(), "SAS-identifier-prefix", "Organization.identifier[0].value", "'334173748400020'"))
				.as(siret.toString()).isTrue();

		String cpts = id();
		Response finess = fhir().put("/Organization/" + cpts, cptsOrganization(cpts, "950047225"));
		assertThat(finess.status()).isEqualTo(422);
		assertThat(refused(finess.outcome(), "SAS-identifier-prefix", "Organization.identifier[0].value", "'1950047225'"))
				.as(finess.toString()).isTrue();
	}

	@Test
	void aMalformedNationalIdentifierIsRefused() {
		String id = id();
		Response response = fhir().put("/Practitioner/" + id, practitioner(id, "ABC"));
		assertThat(response.status()).isEqualTo(422);
		assertThat(refused(response.outcome(), "SAS-identifier-format", "Practitioner.identifier[0].value", "RPPS"))
				.as(response.toString()).isTrue();
	}

	@Test
	void aPhoneNumberOutsideThePlus33FormIsRefusedWithTheCorrectedValue() {
		String org = id();
		Organization organization = cptsOrganization(org, "1950047225");
		organization.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("02 99 00 00 00");
		Response response = fhir().put("/Organization/" + org, organization);
		assertThat(response.status()).isEqualTo(422);
		assertThat(refused(response.outcome(), "SAS-phone-format", "Organization.telecom[0].value", "'+33299000000'"))
				.as(response.toString()).isTrue();

		PractitionerRole role = practitionerRole(id(), "nobody");
		role.getTelecomFirstRep().setValue("+44 20 7946 0000");
		Response foreign = fhir().put("/PractitionerRole/" + role.getIdPart(), role);
		assertThat(foreign.status()).isEqualTo(422);
		assertThat(refused(foreign.outcome(), "SAS-phone-format", "PractitionerRole.telecom[0].value", null)).isTrue();
	}

	@Test
	void overseasNumbersAreAcceptedInTheirTerritorysInternationalForm() {
		// La Réunion, Mayotte (and its former code), Guadeloupe, Guyane, Martinique, Saint-Pierre-et-Miquelon.
		for (String number : List.of("+262262123456", "+262269601234", "+269269601234", "+590590123456", "+594594123456",
				"+596596123456", "+508411234")) {
			String org = id();
			Organization organization = cptsOrganization(org, "1950047225");
			organization.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(number);
			Response response = fhir().put("/Organization/" + org, organization);
			assertThat(response.status()).as(number + " -> " + response).isEqualTo(201);
		}
		// A national overseas number is corrected to its territory's code, not to +33.
		String org = id();
		Organization organization = cptsOrganization(org, "1950047225");
		organization.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("0692 12 34 56");
		Response response = fhir().put("/Organization/" + org, organization);
		assertThat(response.status()).isEqualTo(422);
		assertThat(refused(response.outcome(), "SAS-phone-format", "Organization.telecom[0].value", "'+262692123456'"))
				.as(response.toString()).isTrue();
	}

	@Test
	void theTreR66UrlsAsThePagesPrintThemAreRefusedNamingTheCodeSystemsUrl() {
		for (String printed : List.of("https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement",
				"https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/TRE_R66-CategorieEtablissement")) {
			Slot slot = cptsSlot(id(), "none", "none", OffsetDateTime.now(ZoneOffset.UTC).plusHours(2), 20);
			slot.getServiceType().get(1).getCodingFirstRep().setSystem(printed);
			Response response = fhir().put("/Slot/" + slot.getIdPart(), slot);
			assertThat(response.status()).as(response.toString()).isEqualTo(422);
			assertThat(refused(response.outcome(), "SAS-code-system-url", "Slot.serviceType[1].coding[0].system", R66))
					.as(response.toString()).isTrue();
			assertThat(fhir().get("/Slot/" + slot.getIdPart()).status()).isEqualTo(404);
		}
	}

	@Test
	void searchesByAnUnprefixedIdentifierFindThePrefixedResource() {
		String s = UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000";
		String rpps = "8" + s.substring(0, 11);
		String pid = id();
		Practitioner practitioner = practitioner(pid, rpps);
		assertThat(fhir().put("/Practitioner/" + pid, practitioner).status()).isEqualTo(201);
		assertThat(fhir().put("/PractitionerRole/r" + pid, practitionerRole("r" + pid, pid)).status()).isEqualTo(201);
		assertThat(fhir().put("/Schedule/s" + pid, practitionerSchedule("s" + pid, pid, "r" + pid)).status()).isEqualTo(201);
		OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusHours(2).withNano(0);
		assertThat(fhir().put("/Slot/sl" + pid, slot("sl" + pid, "s" + pid, start, 20)).status()).isEqualTo(201);

		String unprefixed = rpps.substring(1);
		Bundle byToken = fhir().get("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + unprefixed).bundle();
		assertThat(byToken.getTotal()).isEqualTo(1);
		assertThat(((Practitioner) byToken.getEntryFirstRep().getResource()).getIdentifierFirstRep().getValue())
				.as("answers carry the prefixed identifier").isEqualTo(rpps);

		String guideSearch = "/Slot?schedule.actor:Practitioner.identifier=" + IDNPS_SYSTEM + "|" + unprefixed
				+ "&_include=Slot:schedule&_include:iterate=Schedule:actor&status=free"
				+ "&start=ge" + start.minusHours(1) + "&start=le" + start.plusHours(1);
		// The guide's search (dedicated path) and HAPI's generic search are both tolerant.
		for (Bundle byChain : List.of(fhir().get(guideSearch).bundle(),
				fhir().get(guideSearch, fr.sas.fhir.search.GuideSearchInterceptor.PATH_HEADER, "hapi").bundle())) {
			assertThat(byChain.getTotal()).isEqualTo(1);
			assertThat(byChain.getEntry()).anyMatch(e -> e.getResource() instanceof Practitioner p
					&& p.getIdentifierFirstRep().getValue().equals(rpps));
		}

		char otherDigit = (char) ('0' + (unprefixed.charAt(0) - '0' + 1) % 10);
		Bundle other = fhir().get("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + otherDigit + unprefixed.substring(1)).bundle();
		assertThat(other.getTotal()).as("another number still matches nothing").isZero();
	}
}
