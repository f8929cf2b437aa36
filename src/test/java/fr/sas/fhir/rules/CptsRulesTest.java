package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static fr.sas.fhir.support.Outcomes.refused;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.H2ServerTest;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CPTS rules: the CPTS tag and the 604 service reference go together, services exist and are FINESS CPTS. */
class CptsRulesTest extends H2ServerTest {

	private final OffsetDateTime soon = OffsetDateTime.now(ZoneOffset.UTC).plusHours(2).withNano(0);
	private String s;

	@BeforeEach
	void graph() {
		s = UUID.randomUUID().toString().substring(0, 8);
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource r : new Resource[] {
			cptsOrganization("cpts1-" + s, "1950047225"),
			cptsService("hs1-" + s, "cpts1-" + s),
			cptsOrganization("cpts2-" + s, "1950047226"),
			cptsService("hs2-" + s, "cpts2-" + s),
			sosOrganization("sos-" + s, "334173748400020"),
			cptsService("hs-sos-" + s, "sos-" + s),
			practitioner("p-" + s, "810000000123"),
			practitionerRole("r-" + s, "p-" + s),
			practitionerSchedule("sc-" + s, "p-" + s, "r-" + s)
		}) {
			tx.addEntry().setResource(r).getRequest().setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(r.fhirType() + "/" + r.getIdElement().getIdPart());
		}
		Response response = fhir().post("/", tx);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
	}

	private Response put(Slot slot) {
		return fhir().put("/Slot/" + slot.getIdPart(), slot);
	}

	@Test
	void aCptsSlotReferencingAFinessCptsIsAccepted() {
		assertThat(put(cptsSlot("ok-" + s, "sc-" + s, "hs1-" + s, soon, 20)).status()).isEqualTo(201);
	}

	@Test
	void aSlotShownToTwoCptsReferencesBothAndEachIsChecked() {
		Slot two = cptsSlot("two-" + s, "sc-" + s, "hs1-" + s, soon, 20);
		CodeableConcept second = two.getServiceType().get(1).copy();
		second.getExtensionFirstRep().setValue(new Reference("HealthcareService/hs2-" + s));
		two.addServiceType(second);
		assertThat(put(two).status()).isEqualTo(201);

		Slot bad = cptsSlot("bad-" + s, "sc-" + s, "hs1-" + s, soon, 20);
		CodeableConcept sos = bad.getServiceType().get(1).copy();
		sos.getExtensionFirstRep().setValue(new Reference("HealthcareService/hs-sos-" + s));
		bad.addServiceType(sos);
		Response response = put(bad);
		assertThat(refused(response, "SAS-cpts-finess", "Slot.serviceType[2]")).as(response.toString()).isTrue();
		assertThat(fhir().get("/Slot/bad-" + s).status()).isEqualTo(404);
	}

	@Test
	void theCptsTagWithoutAServiceReferenceIsRefused() {
		Slot slot = cptsSlot("tag-" + s, "sc-" + s, "hs1-" + s, soon, 20);
		slot.getServiceType().remove(1);
		Response response = put(slot);
		assertThat(refused(response, "SAS-cpts-service", "Slot.serviceType")).as(response.toString()).isTrue();
	}

	@Test
	void aServiceReferenceWithoutTheCptsTagIsRefused() {
		Slot slot = cptsSlot("notag-" + s, "sc-" + s, "hs1-" + s, soon, 20);
		slot.getMeta().getSecurity().removeIf(c -> "CPTS".equals(c.getCode()));
		slot.getMeta().getProfile().clear();
		slot.getMeta().addProfile(LEGACY_SD + "FrSlotAgregateur");
		Response response = put(slot);
		assertThat(refused(response, "SAS-cpts-tag", "Slot.serviceType[1]")).as(response.toString()).isTrue();
	}

	@Test
	void anUnknownServiceIsRefused() {
		Response response = put(cptsSlot("unknown-" + s, "sc-" + s, "nowhere-" + s, soon, 20));
		assertThat(refused(response, "SAS-cpts-service", "Slot.serviceType[1]")).as(response.toString()).isTrue();
	}

	@Test
	void theServiceMayComeInTheSameTransactionAfterTheSlot() {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		Slot slot = cptsSlot("tx-" + s, "sc-" + s, "hs3-" + s, soon, 20);
		for (Resource r : new Resource[] {slot, cptsService("hs3-" + s, "cpts3-" + s), cptsOrganization("cpts3-" + s, "1950047227")}) {
			tx.addEntry().setResource(r).getRequest().setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(r.fhirType() + "/" + r.getIdElement().getIdPart());
		}
		Response response = fhir().post("/", tx);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		assertThat(fhir().get("/Slot/tx-" + s).status()).isEqualTo(200);
	}

	@Test
	void cptsSlotsOutsideTheNext48HoursAreRefused() {
		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
		assertThat(put(cptsSlot("in-" + s, "sc-" + s, "hs1-" + s, now.plusHours(47), 20)).status()).isEqualTo(201);
		Response late = put(cptsSlot("late-" + s, "sc-" + s, "hs1-" + s, now.plusHours(49), 20));
		assertThat(refused(late, "SAS-cpts-window", "Slot.start")).as(late.toString()).isTrue();
		Response past = put(cptsSlot("past-" + s, "sc-" + s, "hs1-" + s, now.minusHours(2), 20));
		assertThat(refused(past, "SAS-cpts-window", "Slot.end")).as(past.toString()).isTrue();
		Slot plain = slot("plainlate-" + s, "sc-" + s, now.plusDays(6), 20);
		assertThat(put(plain).status()).as("the window is for CPTS slots only").isEqualTo(201);
	}

	@Test
	void theWindowFollowsTheServerClockAndItsConfiguredLength() {
		Instant fixed = Instant.parse("2026-03-01T10:00:00Z");
		SasProperties properties = new SasProperties();
		properties.getRules().setCptsWindow(java.time.Duration.ofHours(24));
		ReferencedResources stub = new ReferencedResources(null) {
			@Override
			public Optional<Resource> find(Reference reference, ca.uhn.fhir.rest.api.server.RequestDetails request) {
				return Optional.of(reference.getReference().startsWith("HealthcareService")
						? cptsService("hs", "o")
						: cptsOrganization("o", "1950047225"));
			}
		};
		CptsRulesInterceptor rules = new CptsRulesInterceptor(FhirHttp.CTX, stub, Clock.fixed(fixed, ZoneOffset.UTC), properties);
		OffsetDateTime at = fixed.atOffset(ZoneOffset.UTC);
		rules.created(cptsSlot("a", "sc", "hs", at.plusHours(23), 20), new SystemRequestDetails());
		try {
			rules.created(cptsSlot("b", "sc", "hs", at.plusHours(25), 20), new SystemRequestDetails());
			throw new AssertionError("expected a refusal beyond the configured 24 hours");
		} catch (UnprocessableEntityException e) {
			assertThat(e.getStatusCode()).isEqualTo(422);
		}
	}
}
