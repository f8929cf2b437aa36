package fr.sas.fhir.transmission;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.SasCodes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;

/**
 * The {@code appointment} payload of RS-SAS-RDV from an Appointment and what it references on this server, and
 * the SAMU it goes to. What the Hub's schema requires and cannot be found (the operator's regulator account, a
 * practitioner's names, the place's département) makes it {@link Draft#failure() fail} with its cause: a message
 * is never sent half-built. Optional fields are left out, never empty.
 */
final class AppointmentMessageBuilder {

	static final String TRE_R38 = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";
	static final String TRE_G15 = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante";
	static final String ORIENTATION = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-categorie-orientation";
	static final String OPERATOR = SasCodes.APPOINTMENT_OPERATOR;
	static final String SOS_APPOINTMENT = SasCodes.SOS_APPOINTMENT;
	static final String SOS_LOCATION = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-sos-location-aggregator";
	/** The RPPS as the Hub's schema accepts it ({@code rppsId}); an ADELI is not accepted. */
	private static final String RPPS = "81\\d{10}";

	private final DaoRegistry daos;
	private final TransmissionProperties properties;
	private final ObjectMapper json;

	AppointmentMessageBuilder(DaoRegistry daos, TransmissionProperties properties, ObjectMapper json) {
		this.daos = daos;
		this.properties = properties;
		this.json = json;
	}

	/** A message's body and recipient, or why there is none. */
	record Draft(String body, String recipient, String failureCode, String failure) {
		static Draft notSent(String code, String cause) {
			return new Draft(null, null, code, cause);
		}

		boolean failed() {
			return failure != null;
		}
	}

	Draft build(Appointment appointment, String appointmentUuid, String method, Instant created) {
		ObjectNode payload = json.createObjectNode();
		payload.put("appointmentId", appointmentUuid);
		payload.put("method", method);
		payload.put("created", hubDateTime(appointment.hasCreated() ? appointment.getCreated().toInstant() : created));
		if (!appointment.hasStart()) {
			return Draft.notSent("not-built", "Appointment.start is absent");
		}
		payload.put("start", hubDateTime(appointment.getStart().toInstant()));
		if (appointment.hasEnd()) {
			payload.put("end", hubDateTime(appointment.getEnd().toInstant()));
		}
		payload.put("status", appointment.getStatus().toCode());

		Place place = place(appointment);
		String orientation = orientation(appointment, place);
		if (orientation != null) {
			payload.put("orientationCategory", orientation);
		}
		if (place.practitioner != null && place.practitioner.getIdentifier().stream()
				.anyMatch(i -> NationalIdentifiers.IDNPS_SYSTEM.equals(i.getSystem()) && i.hasValue() && i.getValue().matches(RPPS))) {
			ObjectNode practitioner = payload.putObject("practitioner");
			String failure = practitioner(place, practitioner);
			if (failure != null) {
				return Draft.notSent("not-built", failure);
			}
		}
		if (place.organization != null) {
			String id = structureId(place.organization);
			if (id != null && place.organization.hasName()) {
				ObjectNode organization = payload.putObject("organization");
				organization.put("organizationId", id);
				organization.put("name", place.organization.getName());
			}
		}
		ObjectNode regulator = payload.putObject("regulator");
		String failure = regulator(appointment, regulator);
		if (failure != null) {
			return Draft.notSent("not-built", failure);
		}

		Set<String> departements = new LinkedHashSet<>();
		for (Address address : place.addresses) {
			String departement = Departements.ofPostalCode(address.getPostalCode());
			if (departement != null) {
				departements.add(departement);
			}
		}
		if (departements.isEmpty()) {
			return Draft.notSent("not-routed", "no postal code of a French département at the appointment's place ("
					+ place.describe() + ")");
		}
		if (departements.size() > 1) {
			return Draft.notSent("not-routed", "the appointment's place is in several départements " + departements
					+ " (" + place.describe() + "): name its slot");
		}
		String departement = departements.iterator().next();
		String recipient = route(departement);
		if (recipient == null) {
			return Draft.notSent("not-routed", "département " + departement + " has no SAMU in sas.transmission.routes");
		}
		ObjectNode message = json.createObjectNode();
		message.set("appointment", payload);
		try {
			return new Draft(json.writeValueAsString(message), recipient, null, null);
		} catch (com.fasterxml.jackson.core.JsonProcessingException e) {
			throw new IllegalStateException(e);
		}
	}

	private String hubDateTime(Instant instant) {
		return HubDates.format(instant, properties.getZone());
	}

	private String route(String departement) {
		for (var route : properties.getRoutes().entrySet()) {
			if (route.getKey().trim().equalsIgnoreCase(departement)) {
				return route.getValue().trim();
			}
		}
		return null;
	}

	/** Where the appointment takes place, and who sees the patient: from its slot here, else its practitioner. */
	private static final class Place {
		Practitioner practitioner;
		PractitionerRole role;
		Slot slot;
		Organization organization;
		boolean sos;
		boolean cpts;
		final List<Address> addresses = new ArrayList<>();
		final List<String> from = new ArrayList<>();

		String describe() {
			return from.isEmpty() ? "neither a slot of this server nor a known practitioner" : String.join(", ", from);
		}
	}

	private Place place(Appointment appointment) {
		Place place = new Place();
		place.sos = appointment.getMeta().getProfile().stream().map(CanonicalType::getValue)
				.anyMatch(p -> p != null && p.startsWith(SOS_APPOINTMENT));
		for (Reference reference : appointment.getSlot()) {
			Slot slot = read(reference, Slot.class).orElse(null);
			if (slot != null) {
				place.slot = slot;
				place.from.add(reference.getReference());
				break;
			}
		}
		if (place.slot != null) {
			fromSlot(place);
		}
		if (place.practitioner == null) {
			place.practitioner = participant(appointment).orElse(null);
		}
		if (place.practitioner != null && place.role == null && place.addresses.isEmpty()) {
			for (IBaseResource found : search("PractitionerRole", SearchParameterMap.newSynchronous("practitioner",
					new ReferenceParam(place.practitioner.getIdElement().toUnqualifiedVersionless().getValue())))) {
				PractitionerRole role = (PractitionerRole) found;
				place.role = place.role == null ? role : place.role;
				place.addresses.addAll(roleAddresses(role));
				place.from.add(role.getIdElement().toUnqualifiedVersionless().getValue());
			}
		}
		return place;
	}

	private void fromSlot(Place place) {
		for (Extension reference : place.slot.getServiceType().stream()
				.flatMap(type -> type.getExtensionsByUrl(SasCodes.SLOT_SERVICE_TYPE).stream()).toList()) {
			HealthcareService cpts = reference.getValue() instanceof Reference service
					? read(service, HealthcareService.class).orElse(null) : null;
			if (cpts != null) {
				place.cpts = true;
				place.organization = read(cpts.getProvidedBy(), Organization.class).orElse(null);
				cpts.getLocation().forEach(l -> read(l, Location.class).ifPresent(loc -> addAddress(place, loc)));
			}
		}
		Schedule schedule = read(place.slot.getSchedule(), Schedule.class).orElse(null);
		if (schedule == null) {
			return;
		}
		for (Reference actor : schedule.getActor()) {
			Resource found = read(actor, Resource.class).orElse(null);
			if (found instanceof PractitionerRole role) {
				place.role = role;
				place.addresses.addAll(0, roleAddresses(role));
				if (place.practitioner == null) {
					place.practitioner = read(role.getPractitioner(), Practitioner.class).orElse(null);
				}
			} else if (found instanceof Practitioner practitioner) {
				place.practitioner = practitioner;
			} else if (found instanceof Location location) {
				boolean sosPlace = location.getMeta().getProfile().stream().anyMatch(p -> p.getValue().startsWith(SOS_LOCATION));
				place.sos |= sosPlace;
				addAddress(place, location);
				if (place.organization == null) {
					place.organization = read(location.getManagingOrganization(), Organization.class).orElse(null);
				}
			}
		}
		if (place.cpts && place.organization != null && place.organization.hasAddress() && place.addresses.isEmpty()) {
			place.addresses.addAll(place.organization.getAddress());
		}
	}

	private static void addAddress(Place place, Location location) {
		if (location.hasAddress()) {
			place.addresses.add(location.getAddress());
			place.from.add(location.getIdElement().toUnqualifiedVersionless().getValue());
		}
	}

	private static List<Address> roleAddresses(PractitionerRole role) {
		List<Address> addresses = new ArrayList<>();
		for (Reference reference : role.getLocation()) {
			String ref = reference.getReference();
			for (Resource contained : role.getContained()) {
				if (contained instanceof Location location && ref != null
						&& ref.equals("#" + contained.getIdElement().getIdPart().replaceFirst("^#", ""))
						&& location.hasAddress()) {
					addresses.add(location.getAddress());
				}
			}
		}
		return addresses;
	}

	/** The practitioner named by the appointment's participant: a national identifier known here (not an account). */
	private Optional<Practitioner> participant(Appointment appointment) {
		for (Appointment.AppointmentParticipantComponent participant : appointment.getParticipant()) {
			Reference actor = participant.getActor();
			Optional<Practitioner> referenced = read(actor, Practitioner.class);
			if (referenced.isPresent()) {
				return referenced;
			}
			Identifier id = actor.getIdentifier();
			if (id.hasSystem() && id.hasValue()) {
				for (IBaseResource found : search("Practitioner", SearchParameterMap.newSynchronous("identifier",
						new TokenParam(id.getSystem(), id.getValue())))) {
					if (!SasCodes.isRegulatorAccount(found)) {
						return Optional.of((Practitioner) found);
					}
				}
			}
		}
		return Optional.empty();
	}

	private String practitioner(Place place, ObjectNode into) {
		Practitioner practitioner = place.practitioner;
		String rpps = practitioner.getIdentifier().stream()
				.filter(i -> NationalIdentifiers.IDNPS_SYSTEM.equals(i.getSystem()) && i.getValue().matches(RPPS))
				.map(Identifier::getValue).findFirst().orElseThrow();
		HumanName name = practitioner.getName().stream().filter(n -> n.hasFamily() && n.hasGiven()).findFirst().orElse(null);
		if (name == null) {
			return "practitioner " + rpps + " (" + practitioner.getIdElement().toUnqualifiedVersionless().getValue()
					+ ") has no family and given name";
		}
		into.put("rppsId", rpps);
		into.put("lastName", name.getFamily());
		into.put("firstName", name.getGiven().get(0).getValue());
		List<CodeableConcept> specialties = new ArrayList<>();
		if (place.slot != null) {
			specialties.addAll(place.slot.getSpecialty());
		}
		if (place.role != null) {
			specialties.addAll(place.role.getSpecialty());
		}
		coding(specialties, TRE_R38).ifPresent(c -> {
			into.put("specialityCode", c.getCode());
			into.put("specialityUrl", TRE_R38);
		});
		List<CodeableConcept> professions = new ArrayList<>();
		if (place.role != null) {
			professions.addAll(place.role.getCode());
		}
		practitioner.getQualification().forEach(q -> professions.add(q.getCode()));
		coding(professions, TRE_G15).ifPresent(c -> {
			into.put("professionUrl", TRE_G15);
			into.put("professionCode", c.getCode());
		});
		return null;
	}

	private static Optional<Coding> coding(List<CodeableConcept> concepts, String system) {
		return concepts.stream().flatMap(c -> c.getCoding().stream())
				.filter(c -> system.equals(c.getSystem()) && c.hasCode()).findFirst();
	}

	/** The regulator's account (INT_R02) for the appointment's operator: names and e-mail; its national id only. */
	private String regulator(Appointment appointment, ObjectNode into) {
		Identifier operator = appointment.getExtensionsByUrl(OPERATOR).stream()
				.map(Extension::getValue).filter(Reference.class::isInstance).map(v -> ((Reference) v).getIdentifier())
				.filter(i -> i.hasSystem() && i.hasValue()).findFirst().orElse(null);
		if (operator == null) {
			return "the appointment has no operator (extension " + OPERATOR + ")";
		}
		Practitioner account = null;
		for (IBaseResource found : search("Practitioner", SearchParameterMap.newSynchronous("identifier",
				new TokenParam(operator.getSystem(), operator.getValue())))) {
			if (SasCodes.isRegulatorAccount(found)) {
				account = (Practitioner) found;
				break;
			}
		}
		String who = operator.getSystem() + "|" + operator.getValue();
		if (account == null) {
			return "no regulator account (Practitioner " + SasCodes.PRACTITIONER_REGUL + ") for the operator " + who;
		}
		HumanName name = account.getName().stream().filter(n -> n.hasFamily() && n.hasGiven()).findFirst().orElse(null);
		String email = account.getTelecom().stream().filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.EMAIL && t.hasValue())
				.map(ContactPoint::getValue).findFirst().orElse(null);
		if (name == null || email == null) {
			return "the regulator account of " + who + " has no " + (name == null ? "family and given name" : "e-mail");
		}
		if (NationalIdentifiers.IDNPS_SYSTEM.equals(operator.getSystem())) {
			into.put("regulatorId", operator.getValue()); // never the SAS technical UUID
		}
		into.put("regulatorName", name.getFamily());
		into.put("regulatorFirstname", name.getGiven().get(0).getValue());
		into.put("regulatorEmail", email);
		return null;
	}

	private String orientation(Appointment appointment, Place place) {
		for (Extension extension : appointment.getExtensionsByUrl(ORIENTATION)) {
			if (extension.getValue() instanceof CodeableConcept concept) {
				for (Coding coding : concept.getCoding()) {
					String category = switch (coding.getCode() == null ? "" : coding.getCode()) {
						case "001" -> "PS";
						case "002" -> "PDM";
						case "003" -> "SOS";
						default -> null;
					};
					if (category != null) {
						return category;
					}
				}
			}
		}
		if (place.sos) {
			return "SOS";
		}
		if (place.cpts) {
			return "CPTS";
		}
		return place.practitioner != null ? "PS" : null;
	}

	/** FINESS, else SIRET, else another national structure id (the guide's precedence). */
	private static String structureId(Organization organization) {
		String best = null;
		int rank = Integer.MAX_VALUE;
		for (Identifier id : organization.getIdentifier()) {
			if (!NationalIdentifiers.IDNST_SYSTEM.equals(id.getSystem()) || !id.hasValue()) {
				continue;
			}
			int r = id.getValue().startsWith("1") ? 0 : id.getValue().startsWith("3") ? 1 : 2;
			if (r < rank) {
				rank = r;
				best = id.getValue();
			}
		}
		return best;
	}

	/** The resource a literal reference names on this server, of {@code type} ({@code Resource}: any type). */
	private <T extends Resource> Optional<T> read(Reference reference, Class<T> type) {
		if (reference == null || !reference.hasReference() || reference.getReference().startsWith("#")) {
			return Optional.empty();
		}
		org.hl7.fhir.r4.model.IdType id = new org.hl7.fhir.r4.model.IdType(reference.getReference());
		if (!id.hasResourceType() || !id.hasIdPart() || id.isAbsolute()
				|| (type != Resource.class && !type.getSimpleName().equals(id.getResourceType()))
				|| !daos.isResourceTypeSupported(id.getResourceType())) {
			return Optional.empty();
		}
		try {
			IBaseResource found = daos.getResourceDao(id.getResourceType()).read(id.toUnqualifiedVersionless(), new SystemRequestDetails());
			return type.isInstance(found) ? Optional.of(type.cast(found)) : Optional.empty();
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			return Optional.empty();
		}
	}

	private List<IBaseResource> search(String type, SearchParameterMap map) {
		return daos.getResourceDao(type).search(map, new SystemRequestDetails()).getResources(0, 50);
	}
}
