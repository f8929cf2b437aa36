package fr.sas.fhir.rules;

import fr.sas.fhir.common.NationalIdentifiers;

import static fr.sas.fhir.common.NationalIdentifiers.IDNPS_SYSTEM;
import static fr.sas.fhir.common.NationalIdentifiers.IDNST_SYSTEM;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.SasTestData;
import fr.sas.fhir.common.WriteWarnings;
import java.util.List;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The identifier and phone forms of the FAQ, and the normalize setting, without a server. */
class NationalIdentifiersTest {

	@ParameterizedTest
	@CsvSource({
		"urn:oid:1.2.250.1.71.4.2.1, 810101288385, true",
		"urn:oid:1.2.250.1.71.4.2.1, 0123456789, true",
		"urn:oid:1.2.250.1.71.4.2.1, 3456780581/11242343, true",
		"urn:oid:1.2.250.1.71.4.2.1, 10101288385, false",
		"urn:oid:1.2.250.1.71.4.2.1, 8101012883851, false",
		"urn:oid:1.2.250.1.71.4.2.2, 1950047225, true",
		"urn:oid:1.2.250.1.71.4.2.2, 334173748400020, true",
		"urn:oid:1.2.250.1.71.4.2.2, 412345678912345, true",
		"urn:oid:1.2.250.1.71.4.2.2, 950047225, false",
		"urn:oid:1.2.250.1.71.4.2.2, 2950047225, false",
		"https://editeur.example.fr, anything, true"
	})
	void wellFormedValues(String system, String value, boolean expected) {
		assertThat(NationalIdentifiers.isWellFormed(system, value)).isEqualTo(expected);
	}

	@Test
	void prefixesFollowTheLengthOfTheNumber() {
		assertThat(NationalIdentifiers.prefixed(IDNPS_SYSTEM, "10101288385")).contains("810101288385");
		assertThat(NationalIdentifiers.prefixed(IDNPS_SYSTEM, "123456789")).contains("0123456789");
		assertThat(NationalIdentifiers.prefixed(IDNST_SYSTEM, "950047225")).contains("1950047225");
		assertThat(NationalIdentifiers.prefixed(IDNST_SYSTEM, "34173748400020")).contains("334173748400020");
		assertThat(NationalIdentifiers.prefixed(IDNST_SYSTEM, "1950047225")).isEmpty();
		assertThat(NationalIdentifiers.prefixed(IDNPS_SYSTEM, "12")).isEmpty();
	}

	@Test
	void phoneNumbersAreCorrectedToThePlus33Form() {
		assertThat(PhoneNumbers.corrected("02 99 00 00 00")).contains("+33299000000");
		assertThat(PhoneNumbers.corrected("0033 2 99 00 00 00")).contains("+33299000000");
		assertThat(PhoneNumbers.corrected("+33 (0)2 99 00 00 00")).contains("+33299000000");
		assertThat(PhoneNumbers.corrected("06.12.34.56.78")).contains("+33612345678");
		assertThat(PhoneNumbers.corrected("+44 20 7946 0000")).isEmpty();
		assertThat(PhoneNumbers.isWellFormed("+33299000000")).isTrue();
		// Overseas: the territory's own code, 9 digits (6 for Saint-Pierre-et-Miquelon).
		assertThat(PhoneNumbers.isWellFormed("+262692123456")).isTrue();
		assertThat(PhoneNumbers.isWellFormed("+590690123456")).isTrue();
		assertThat(PhoneNumbers.isWellFormed("+508551234")).isTrue();
		assertThat(PhoneNumbers.isWellFormed("+5085512345")).isFalse();
		assertThat(PhoneNumbers.isWellFormed("+687123456")).isFalse();
		assertThat(PhoneNumbers.corrected("0590 12 34 56")).contains("+590590123456");
		assertThat(PhoneNumbers.corrected("06 94 12 34 56")).contains("+594694123456");
		assertThat(PhoneNumbers.corrected("0696123456")).contains("+596696123456");
		assertThat(PhoneNumbers.corrected("0639 01 23 45")).contains("+262639012345");
		assertThat(PhoneNumbers.corrected("+262 (0)692 12 34 56")).contains("+262692123456");
		assertThat(PhoneNumbers.corrected("41 12 34")).contains("+508411234");
	}

	@Test
	void theNormalizeSettingStoresThePrefixedFormWithAWarning() {
		SasProperties properties = new SasProperties();
		properties.getRules().setNormalizeIdentifiers(true);
		IdentityRulesInterceptor rules = new IdentityRulesInterceptor(FhirHttp.CTX, properties);
		Organization org = SasTestData.sosOrganization("o", "34173748400020");
		org.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("02 99 00 00 00");
		SystemRequestDetails request = new SystemRequestDetails();

		rules.check(null, org, request);

		assertThat(org.getIdentifierFirstRep().getValue()).isEqualTo("334173748400020");
		assertThat(org.getTelecomFirstRep().getValue()).isEqualTo("+33299000000");
		List<OperationOutcome.OperationOutcomeIssueComponent> warnings = WriteWarnings.of(request);
		assertThat(warnings).extracting(w -> w.getExpression().get(0).getValue())
				.containsExactlyInAnyOrder("Organization.identifier[0].value", "Organization.telecom[0].value");
		assertThat(warnings).allMatch(w -> w.getSeverity() == OperationOutcome.IssueSeverity.WARNING);
	}

	@Test
	void strictModeRefusesWithoutTouchingTheResource() {
		IdentityRulesInterceptor rules = new IdentityRulesInterceptor(FhirHttp.CTX, new SasProperties());
		Organization org = SasTestData.sosOrganization("o", "34173748400020");
		org.setId("Organization/o");
		try {
			rules.check(null, org, new SystemRequestDetails());
			throw new AssertionError("expected a refusal");
		} catch (UnprocessableEntityException e) {
			assertThat(e.getStatusCode()).isEqualTo(422);
		}
		assertThat(org.getIdentifierFirstRep().getValue()).isEqualTo("34173748400020");
	}
}
