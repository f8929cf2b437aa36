package fr.sas.fhir.validation;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.support.H2ServerTest;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The verdict memo never changes a verdict: every variant below, well formed or broken in a value the memo
 * masks (or could be tempted to), gets exactly the messages of a validator without memo; and slots differing
 * only in id, instants and comment share one remembered verdict.
 */
class VerdictMemoTest extends H2ServerTest {

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final OffsetDateTime START = OffsetDateTime.of(2026, 12, 1, 9, 0, 0, 0, ZoneOffset.ofHours(1));

	@Autowired
	FhirContext fhirContext;

	@Autowired
	WorkerContextValidationSupportAdapter workerContext;

	private VerdictMemo memo;
	private ReusableInstanceValidator remembering;
	private ReusableInstanceValidator full;

	@BeforeEach
	void validators() {
		SasProperties on = new SasProperties();
		on.getValidation().setMemoSize(1000);
		SasProperties off = new SasProperties();
		off.getValidation().setMemoSize(0);
		// A core validator keeps its first answer for a code, and HAPI's terminology support answers the very
		// first check of a code differently (a warning) from the later ones, made on the value set's cached
		// expansion (an information). Warm the shared support up first, so both validators start alike.
		ReusableInstanceValidator warmUp = new ReusableInstanceValidator(fhirContext, workerContext, new VerdictMemo(off));
		String slot = encode(slot("memo-warm-up", "sched-0", START, 20));
		for (int i = 0; i < 2; i++) {
			warmUp.validate(slot.getBytes(StandardCharsets.UTF_8), "Slot", profilesOf(slot));
		}
		memo = new VerdictMemo(on);
		remembering = new ReusableInstanceValidator(fhirContext, workerContext, memo);
		full = new ReusableInstanceValidator(fhirContext, workerContext, new VerdictMemo(off));
	}

	@Test
	void slotsDifferingInIdInstantsCommentAndScheduleShareOneVerdict() {
		for (int i = 0; i < 30; i++) {
			OffsetDateTime start = START.plusMinutes(20L * i);
			String json = encode(slot("memo-" + i, "sched-" + i % 7, start, 20 + i % 3 * 5));
			assertSameVerdict("slot " + i, json);
		}
		assertThat(memo.size()).as("one verdict remembered for thirty slots").isEqualTo(1);
	}

	@Test
	void everyBrokenOrUnusualValueGetsTheFullValidatorsVerdict() {
		String base = encode(slot("memo-base", "sched-1", START, 20));
		assertSameVerdict("base", base);
		Map<String, Consumer<ObjectNode>> variants = new LinkedHashMap<>();
		variants.put("impossible day", s -> s.put("start", "2026-02-30T10:00:00+01:00"));
		variants.put("leap second", s -> s.put("start", "2026-12-31T23:59:60Z"));
		variants.put("year 1999", s -> s.put("start", "1999-12-01T10:00:00+01:00"));
		variants.put("year 2200", s -> s.put("end", "2200-12-01T10:00:00+01:00"));
		variants.put("no offset", s -> s.put("start", "2026-12-01T10:00:00"));
		variants.put("date only", s -> s.put("start", "2026-12-01"));
		variants.put("minutes only", s -> s.put("end", "2026-12-01T10:20+01:00"));
		variants.put("milliseconds", s -> s.put("start", "2026-12-01T10:00:00.123+01:00"));
		variants.put("nanoseconds", s -> s.put("start", "2026-12-01T10:00:00.123456789Z"));
		variants.put("offset +14:00", s -> s.put("start", "2026-12-01T10:00:00+14:00"));
		variants.put("not a date", s -> s.put("end", "tomorrow"));
		variants.put("number for start", s -> s.put("start", 20261201));
		variants.put("end before start", s -> s.put("end", "2026-12-01T08:00:00+01:00"));
		variants.put("comment with leading space", s -> s.put("comment", " rdv"));
		variants.put("comment with trailing space", s -> s.put("comment", "rdv "));
		variants.put("empty comment", s -> s.put("comment", ""));
		variants.put("comment with markup", s -> s.put("comment", "<script>alert(1)</script>"));
		variants.put("comment with entity", s -> s.put("comment", "a &amp; b"));
		variants.put("comment with newline", s -> s.put("comment", "a\nb"));
		variants.put("long comment", s -> s.put("comment", "x".repeat(1500)));
		variants.put("accented comment", s -> s.put("comment", "Consultation à l'accueil, 2e étage"));
		variants.put("comment with extension", s -> s.putObject("_comment").putArray("extension").addObject()
				.put("url", "http://example.org/x").put("valueString", "y"));
		variants.put("id with underscore", s -> s.put("id", "a_b"));
		variants.put("id of 65 characters", s -> s.put("id", "a".repeat(65)));
		variants.put("no id", s -> s.remove("id"));
		variants.put("status busy", s -> s.put("status", "busy"));
		variants.put("status unknown", s -> s.put("status", "nope"));
		variants.put("no schedule", s -> s.remove("schedule"));
		variants.put("schedule of another type", s -> s.putObject("schedule").put("reference", "Patient/1"));
		variants.put("local schedule reference", s -> s.putObject("schedule").put("reference", "#sched"));
		variants.put("lower-case type", s -> s.putObject("schedule").put("reference", "schedule/1"));
		variants.put("no id in reference", s -> s.putObject("schedule").put("reference", "Schedule/"));
		variants.put("bad id in reference", s -> s.putObject("schedule").put("reference", "Schedule/a_b"));
		variants.put("unknown type", s -> s.putObject("schedule").put("reference", "Agenda/1"));
		variants.put("absolute reference", s -> s.putObject("schedule").put("reference", "https://x.fr/fhir/Schedule/1"));
		variants.put("versioned reference", s -> s.putObject("schedule").put("reference", "Schedule/1/_history/2"));
		variants.put("reference with display", s -> ((ObjectNode) s.get("schedule")).put("display", "Dr X"));
		variants.put("schedule as a list", s -> s.putArray("schedule").addObject().put("reference", "Schedule/1"));
		variants.put("schedule as text", s -> s.put("schedule", "Schedule/1"));
		variants.put("contained resource", s -> s.putArray("contained").addObject()
				.put("resourceType", "Basic").put("id", "x"));
		variants.put("unknown element", s -> s.put("colour", "blue"));
		for (Map.Entry<String, Consumer<ObjectNode>> variant : variants.entrySet()) {
			ObjectNode slot = parse(base);
			variant.getValue().accept(slot);
			assertSameVerdict(variant.getKey(), slot.toString());
		}
	}

	@Test
	void practitionersAndRolesDifferingInIdentifiersNamesAndPlacesShareOneVerdict() {
		for (int i = 0; i < 12; i++) {
			org.hl7.fhir.r4.model.Practitioner p = practitioner("memo-pr-" + i, "8100000000" + (10 + i));
			p.getNameFirstRep().setFamily("Nom" + i).getGiven().clear();
			p.getNameFirstRep().addGiven("Prénom " + i);
			assertSameVerdict("practitioner " + i, encode(p));
			org.hl7.fhir.r4.model.PractitionerRole role = practitionerRole("memo-ro-" + i, "memo-pr-" + i);
			org.hl7.fhir.r4.model.Location place = (org.hl7.fhir.r4.model.Location) role.getContained().get(0);
			place.getAddress().getLine().clear();
			place.getAddress().addLine(i + " rue de la Paix").setCity(i % 2 == 0 ? "Rennes" : "Saint-Malo").setPostalCode("350" + (10 + i));
			place.getIdentifierFirstRep().setValue("place-" + i);
			place.getPosition().setLatitude(48.1 + i / 100.0).setLongitude(-1.6 - i / 100.0);
			// Phone numbers as publishers send them, international: each role its own.
			role.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE)
					.setValue(i % 2 == 0 ? "+3329910" + (1000 + i) : "+33 2 99 10 " + (10 + i) + " 00");
			assertSameVerdict("role " + i, encode(role));
		}
		assertThat(memo.size()).as("one verdict for the practitioners, one for the roles").isEqualTo(2);
	}

	@Test
	void everyBrokenOrUnusualNestedValueGetsTheFullValidatorsVerdict() {
		String practitioner = encode(practitioner("memo-np", "810000000099"));
		String role = encode(practitionerRole("memo-nr", "memo-np"));
		assertSameVerdict("practitioner", practitioner);
		assertSameVerdict("role", role);
		Map<String, Consumer<ObjectNode>> onPractitioner = new LinkedHashMap<>();
		onPractitioner.put("empty identifier value", p -> ((ObjectNode) p.get("identifier").get(0)).put("value", ""));
		onPractitioner.put("identifier value with spaces", p -> ((ObjectNode) p.get("identifier").get(0)).put("value", " 8100 "));
		onPractitioner.put("identifier value with markup", p -> ((ObjectNode) p.get("identifier").get(0)).put("value", "<b>8</b>"));
		onPractitioner.put("identifier value as a number", p -> ((ObjectNode) p.get("identifier").get(0)).put("value", 810000000099L));
		onPractitioner.put("identifier value with extension", p -> ((ObjectNode) p.get("identifier").get(0)).putObject("_value")
				.putArray("extension").addObject().put("url", "http://example.org/x").put("valueString", "y"));
		onPractitioner.put("family with trailing space", p -> ((ObjectNode) p.get("name").get(0)).put("family", "Martin "));
		onPractitioner.put("given as a number", p -> ((ObjectNode) p.get("name").get(0)).putArray("given").add(3));
		onPractitioner.put("given empty", p -> ((ObjectNode) p.get("name").get(0)).putArray("given").add(""));
		onPractitioner.put("name as an object", p -> p.putObject("name").put("family", "Martin"));
		onPractitioner.put("identifier as a string", p -> p.put("identifier", "810000000099"));
		onPractitioner.put("identifier without value", p -> ((ObjectNode) p.get("identifier").get(0)).remove("value"));
		onPractitioner.put("another identifier system", p -> ((ObjectNode) p.get("identifier").get(0)).put("system", "urn:oid:1.2.3"));
		for (Map.Entry<String, Consumer<ObjectNode>> variant : onPractitioner.entrySet()) {
			ObjectNode p = parse(practitioner);
			variant.getValue().accept(p);
			assertSameVerdict(variant.getKey(), p.toString());
		}
		Map<String, Consumer<ObjectNode>> onRole = new LinkedHashMap<>();
		onRole.put("phone of a plus alone", r -> phone(r, "+"));
		onRole.put("phone of two pluses", r -> phone(r, "++33299100000"));
		onRole.put("phone with a leading space", r -> phone(r, " +33299100000"));
		onRole.put("phone with a trailing space", r -> phone(r, "+33299100000 "));
		onRole.put("phone with markup", r -> phone(r, "+33<b>2</b>"));
		onRole.put("phone as a number", r -> r.putArray("telecom").addObject().put("system", "phone").put("value", 33299100000L));
		onRole.put("phone without system", r -> r.putArray("telecom").addObject().put("value", "+33299100000"));
		for (Map.Entry<String, Consumer<ObjectNode>> variant : onRole.entrySet()) {
			ObjectNode r = parse(role);
			variant.getValue().accept(r);
			assertSameVerdict(variant.getKey(), r.toString());
		}
		Map<String, Consumer<ObjectNode>> onPlace = new LinkedHashMap<>();
		onPlace.put("empty city", l -> ((ObjectNode) l.get("address")).put("city", ""));
		onPlace.put("postal code with markup", l -> ((ObjectNode) l.get("address")).put("postalCode", "<35000>"));
		onPlace.put("no address", l -> l.remove("address"));
		onPlace.put("latitude as text", l -> l.putObject("position").put("latitude", "48.1").put("longitude", -1.6));
		onPlace.put("latitude in exponent", l -> l.putObject("position").put("latitude", 4.81e1).put("longitude", -1.6));
		onPlace.put("no longitude", l -> l.putObject("position").put("latitude", 48.1));
		onPlace.put("another contained id", l -> l.put("id", "elsewhere"));
		onPlace.put("place identifier with spaces", l -> ((ObjectNode) l.get("identifier").get(0)).put("value", "a  b "));
		onPlace.put("unknown profile", l -> ((ObjectNode) l.get("meta")).putArray("profile").add("http://example.org/none"));
		for (Map.Entry<String, Consumer<ObjectNode>> variant : onPlace.entrySet()) {
			ObjectNode r = parse(role);
			variant.getValue().accept((ObjectNode) r.get("contained").get(0));
			assertSameVerdict(variant.getKey(), r.toString());
		}
	}

	@Test
	void otherGovernedTypesToo() {
		for (Resource resource : List.<Resource>of(
				practitioner("memo-p1", "810000000001"),
				practitioner("memo-p2", "810000000002"),
				practitionerSchedule("memo-s1", "memo-p1", "memo-r1"),
				practitionerRole("memo-r1", "memo-p1"),
				practitionerRole("memo-r2", "memo-p2"),
				brokenPlace(practitionerRole("memo-r3", "memo-p2")),
				practitionerSchedule("memo-s2", "memo-p2", "memo-r2"),
				appointment("memo-a1", "rdv-1", "810000000001", START),
				appointment("memo-a2", "rdv-2", "810000000002", START.plusHours(1)),
				cptsOrganization("memo-o1", "1123456789"),
				cptsOrganization("memo-o2", "2123456789"))) {
			assertSameVerdict(resource.getId(), encode(resource));
		}
	}

	private static void phone(ObjectNode role, String value) {
		role.putArray("telecom").addObject().put("system", "phone").put("value", value);
	}

	/** A role whose contained place has a malformed postal code: an error the exact-content memo must keep. */
	private static org.hl7.fhir.r4.model.PractitionerRole brokenPlace(org.hl7.fhir.r4.model.PractitionerRole role) {
		((org.hl7.fhir.r4.model.Location) role.getContained().get(0)).getAddress().setPostalCode("35");
		role.getContained().get(0).getMeta().addProfile("not-a-profile");
		return role;
	}

	private void assertSameVerdict(String name, String json) {
		Set<String> urls = profilesOf(json);
		String type = parse(json).get("resourceType").asText();
		byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
		List<String> expected = describe(full.validate(bytes, type, urls));
		// Twice: the second answer may come from the memo.
		assertThat(describe(remembering.validate(bytes, type, urls))).as(name).isEqualTo(expected);
		assertThat(describe(remembering.validate(bytes, type, urls))).as(name + ", again").isEqualTo(expected);
	}

	private static Set<String> profilesOf(String json) {
		Set<String> urls = new LinkedHashSet<>();
		parse(json).path("meta").path("profile").forEach(p -> urls.add(p.asText()));
		return urls;
	}

	private static List<String> describe(List<ValidationMessage> messages) {
		List<String> out = new ArrayList<>();
		for (ValidationMessage m : messages) {
			out.add(m.getLevel() + " " + m.getLocation() + " " + m.getMessageId() + " " + m.getMessage());
		}
		return out;
	}

	private String encode(Resource resource) {
		return fhirContext.newJsonParser().encodeResourceToString(resource);
	}

	private static ObjectNode parse(String json) {
		try {
			return (ObjectNode) JSON.readTree(json);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}
}
