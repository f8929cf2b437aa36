package fr.sas.fhir.support;

import java.time.OffsetDateTime;
import java.util.Date;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;

/** Resources in the shapes of the guide (individual practitioner, CPTS, SOS Médecins, appointment), for tests. */
public final class SasTestData {

	public static final String SD = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/";
	public static final String LEGACY_SD = "http://sas.fr/fhir/StructureDefinition/";
	public static final String IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1";
	public static final String IDNST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2";
	public static final String SAS_SYSTEM = "urn:oid:1.2.250.1.213.3.6";
	public static final String FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203";
	public static final String TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";
	public static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
	public static final String V2_0276 = "http://terminology.hl7.org/CodeSystem/v2-0276";
	public static final String R38 = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";
	public static final String R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement";
	public static final String SLOT_SERVICE_TYPE_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType";

	private SasTestData() {}

	public static Practitioner practitioner(String id, String rpps) {
		Practitioner p = new Practitioner();
		p.setId(id);
		p.getMeta().addProfile(LEGACY_SD + "FrPractitionerAgregateur");
		p.addIdentifier(identifier(FR_V2_0203, "IDNPS", IDNPS_SYSTEM, rpps));
		p.addName().setFamily("Martin").addGiven("Claire");
		return p;
	}

	public static PractitionerRole practitionerRole(String id, String practitionerId) {
		PractitionerRole role = new PractitionerRole();
		role.setId(id);
		role.getMeta().addProfile(LEGACY_SD + "FrPractitionerRoleExerciceAgregateur");
		Location place = new Location();
		place.setId("place");
		place.getMeta().addProfile(LEGACY_SD + "FrLocationAgregateur");
		place.addIdentifier(identifier(
				"http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "INTRN",
				"https://editeur.example.fr", id + "-place"));
		place.getAddress().addLine("1 rue de la Paix").setCity("Rennes").setPostalCode("35000");
		role.addContained(place);
		role.addLocation(new Reference("#place"));
		role.setPractitioner(new Reference("Practitioner/" + practitionerId));
		role.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("+33299000000");
		return role;
	}

	public static Schedule practitionerSchedule(String id, String practitionerId, String roleId) {
		Schedule s = new Schedule();
		s.setId(id);
		s.getMeta().addProfile(LEGACY_SD + "FrScheduleAgregateur");
		s.addActor(new Reference("Practitioner/" + practitionerId));
		s.addActor(new Reference("PractitionerRole/" + roleId));
		return s;
	}

	public static Slot slot(String id, String scheduleId, OffsetDateTime start, int minutes) {
		Slot slot = new Slot();
		slot.setId(id);
		slot.getMeta().addProfile(LEGACY_SD + "FrSlotAgregateur");
		slot.getMeta().addSecurity(TYPE_CRENEAU, "PUBLIC", null);
		slot.addServiceType(concept(ACT_CODE, "AMB"));
		slot.addSpecialty(concept(R38, "SM54"));
		slot.setAppointmentType(concept(V2_0276, "ROUTINE"));
		slot.setSchedule(new Reference("Schedule/" + scheduleId));
		slot.setStatus(Slot.SlotStatus.FREE);
		slot.setStart(Date.from(start.toInstant()));
		slot.setEnd(Date.from(start.plusMinutes(minutes).toInstant()));
		slot.setComment("https://editeur.example.fr/rdv/" + id);
		return slot;
	}

	public static Organization cptsOrganization(String id, String finess) {
		Organization o = new Organization();
		o.setId(id);
		o.getMeta().addProfile(SD + "sas-cpts-organization-aggregator");
		o.addIdentifier(identifier(
				"https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "IDNST", IDNST_SYSTEM, finess));
		o.setName("CPTS du Pays de Rennes");
		return o;
	}

	public static HealthcareService cptsService(String id, String organizationId) {
		HealthcareService hs = new HealthcareService();
		hs.setId(id);
		hs.getMeta().addProfile(SD + "sas-cpts-healthcareservice-aggregator");
		hs.setProvidedBy(new Reference("Organization/" + organizationId));
		return hs;
	}

	/** A practitioner's slot opened for a CPTS: tagged CPTS, with a TRE_R66 604 serviceType referencing the service. */
	public static Slot cptsSlot(String id, String scheduleId, String serviceId, OffsetDateTime start, int minutes) {
		Slot slot = slot(id, scheduleId, start, minutes);
		slot.getMeta().getProfile().clear();
		slot.getMeta().addProfile(SD + "sas-cpts-slot-aggregator");
		slot.getMeta().addSecurity(TYPE_CRENEAU, "CPTS", null);
		CodeableConcept cpts = concept(R66, "604");
		cpts.addExtension(SLOT_SERVICE_TYPE_EXT, new Reference("HealthcareService/" + serviceId));
		slot.addServiceType(cpts);
		return slot;
	}

	public static Organization sosOrganization(String id, String siret) {
		Organization o = new Organization();
		o.setId(id);
		o.getMeta().addProfile(SD + "sas-sos-organization-aggregator");
		o.addIdentifier(identifier(
				"http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "IDNST", IDNST_SYSTEM, siret));
		o.setName("SOS Médecins Rennes");
		return o;
	}

	public static Location sosLocation(String id, String organizationId) {
		Location l = new Location();
		l.setId(id);
		l.getMeta().addProfile(SD + "sas-sos-location-aggregator");
		l.addIdentifier(identifier(
				"http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "INTRN",
				"https://editeur.example.fr", id));
		l.setName("Centre de consultation " + id);
		l.getAddress().addLine("2 place du Parlement").setCity("Rennes").setPostalCode("35000");
		l.setManagingOrganization(new Reference("Organization/" + organizationId));
		return l;
	}

	public static Schedule sosSchedule(String id, String locationId) {
		Schedule s = new Schedule();
		s.setId(id);
		s.getMeta().addProfile(SD + "sas-sos-schedule-aggregator");
		s.addActor(new Reference("Location/" + locationId));
		return s;
	}

	public static Slot sosSlot(String id, String scheduleId, OffsetDateTime start, int minutes) {
		Slot slot = slot(id, scheduleId, start, minutes);
		slot.getMeta().getProfile().clear();
		slot.getMeta().addProfile(SD + "sas-sos-slot-aggregator");
		slot.getSpecialty().clear();
		return slot;
	}

	public static Appointment appointment(String id, String identifierValue, String rpps, OffsetDateTime start) {
		Appointment a = new Appointment();
		a.setId(id);
		a.getMeta().addProfile(LEGACY_SD + "FrAppointmentSAS");
		a.addExtension(
				"http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator",
				new Reference().setIdentifier(identifier(FR_V2_0203, "IDNPS", IDNPS_SYSTEM, "810000000001")));
		a.addIdentifier().setSystem("urn:oid:1.2.250.1.999.1").setValue(identifierValue);
		a.setStatus(Appointment.AppointmentStatus.BOOKED);
		a.setStart(Date.from(start.toInstant()));
		a.setEnd(Date.from(start.plusMinutes(15).toInstant()));
		a.setCreated(new Date());
		a.addParticipant()
				.setActor(new Reference().setIdentifier(identifier(FR_V2_0203, "IDNPS", IDNPS_SYSTEM, rpps)))
				.setStatus(Appointment.ParticipationStatus.ACCEPTED);
		return a;
	}

	public static Identifier identifier(String typeSystem, String typeCode, String system, String value) {
		Identifier identifier = new Identifier().setSystem(system).setValue(value);
		identifier.getType().addCoding(new Coding(typeSystem, typeCode, null));
		return identifier;
	}

	public static CodeableConcept concept(String system, String code) {
		return new CodeableConcept().addCoding(new Coding(system, code, null));
	}
}
