package fr.sas.fhir.contextual;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The card a resource makes, if it makes one: a PractitionerRole (a practitioner at one place: its contained or
 * referenced Location), a CPTS HealthcareService (placed at its Location or its Organization's address), an SOS
 * Médecins consultation place (a Location of {@code sas-sos-location-aggregator}). The position is the place's
 * {@code Location.position} when the publisher gives one, else its commune's (postal code and city, from the
 * reference table); a card nobody can place is kept, unplaced, for the treating-doctor lookup.
 */
final class CardBuilder {

	static final String SOS_LOCATION = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-sos-location-aggregator";
	static final String CPTS_SERVICE = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-healthcareservice-aggregator";
	/** SOS Médecins are general practitioners: their places answer the general-practice specialties of TRE_R38. */
	static final Set<String> GENERAL_PRACTICE = Set.of("SM54", "SM53", "SM26");

	private final CommuneDirectory communes;
	/** Reads a stored resource by "Type/id" (within the writing transaction). */
	private final Function<String, Optional<Resource>> reader;

	CardBuilder(CommuneDirectory communes, Function<String, Optional<Resource>> reader) {
		this.communes = communes;
		this.reader = reader;
	}

	/** Whether a resource of this type and these profiles makes a card. */
	static boolean makesACard(Resource resource) {
		return resource instanceof PractitionerRole
				|| (resource instanceof HealthcareService hs && claims(hs, CPTS_SERVICE))
				|| (resource instanceof Location location && claims(location, SOS_LOCATION));
	}

	Optional<ContextualCard> build(Resource resource) {
		if (resource instanceof PractitionerRole role) {
			return Optional.of(individual(role));
		}
		if (resource instanceof HealthcareService service && claims(service, CPTS_SERVICE)) {
			return Optional.of(cpts(service));
		}
		if (resource instanceof Location location && claims(location, SOS_LOCATION)) {
			return Optional.of(sos(location));
		}
		return Optional.empty();
	}

	private ContextualCard individual(PractitionerRole role) {
		ContextualCard card = new ContextualCard("PractitionerRole/" + role.getIdElement().getIdPart(), ContextualCard.Kind.INDIVIDUAL);
		if (role.hasPractitioner() && role.getPractitioner().hasReference()) {
			String practitioner = relative(role.getPractitioner());
			card.setPractitioner(practitioner);
			reader.apply(practitioner).filter(Practitioner.class::isInstance).map(Practitioner.class::cast)
					.ifPresent(p -> p.getIdentifier().stream().filter(i -> i.hasSystem() && i.hasValue())
							.forEach(i -> card.getNationalIds().add(token(i))));
		}
		specialties(card, role.getSpecialty(), "");
		for (Reference place : role.getLocation()) {
			Optional<Location> location = location(role, place);
			if (location.isPresent()) {
				if (!place.getReference().startsWith("#")) {
					card.setPlace(relative(place));
				}
				placeAt(card, location.get().getPosition(), location.get().getAddress());
				break;
			}
		}
		return card;
	}

	private ContextualCard cpts(HealthcareService service) {
		ContextualCard card = new ContextualCard("HealthcareService/" + service.getIdElement().getIdPart(), ContextualCard.Kind.CPTS);
		specialties(card, service.getSpecialty(), service.getName());
		Optional<Organization> organization = Optional.empty();
		if (service.hasProvidedBy() && service.getProvidedBy().hasReference()) {
			card.setOrganization(relative(service.getProvidedBy()));
			organization = reader.apply(card.getOrganization()).filter(Organization.class::isInstance).map(Organization.class::cast);
		}
		for (Reference place : service.getLocation()) {
			Optional<Location> location = location(service, place);
			if (location.isPresent()) {
				card.setPlace(relative(place));
				placeAt(card, location.get().getPosition(), location.get().getAddress());
				return card;
			}
		}
		organization.ifPresent(o -> placeAt(card, null, o.getAddressFirstRep()));
		return card;
	}

	private ContextualCard sos(Location location) {
		ContextualCard card = new ContextualCard("Location/" + location.getIdElement().getIdPart(), ContextualCard.Kind.SOS);
		card.getSpecialties().addAll(GENERAL_PRACTICE);
		card.setSpecialtyText("Médecine générale SOS Médecins");
		if (location.hasManagingOrganization() && location.getManagingOrganization().hasReference()) {
			card.setOrganization(relative(location.getManagingOrganization()));
		}
		card.setPlace(card.getId());
		placeAt(card, location.getPosition(), location.getAddress());
		return card;
	}

	private Optional<Location> location(org.hl7.fhir.r4.model.DomainResource owner, Reference place) {
		if (!place.hasReference()) {
			return Optional.empty();
		}
		if (place.getReference().startsWith("#")) {
			String id = place.getReference().substring(1);
			return owner.getContained().stream().filter(r -> r instanceof Location && id.equals(r.getIdElement().getIdPart()))
					.map(Location.class::cast).findFirst();
		}
		return reader.apply(relative(place)).filter(Location.class::isInstance).map(Location.class::cast);
	}

	/** The publisher's position wins; the commune (postal code and city) gives the département and, else, the position. */
	private void placeAt(ContextualCard card, Location.LocationPositionComponent position, Address address) {
		Optional<Commune> commune = address == null ? Optional.empty()
				: communes.resolve(address.getPostalCode(), address.getCity());
		commune.ifPresent(card::setCommune);
		if (position != null && position.hasLatitude() && position.hasLongitude()) {
			try {
				GeoPoint point = new GeoPoint(position.getLatitude().doubleValue(), position.getLongitude().doubleValue());
				card.setPosition(point);
				if (commune.isEmpty()) {
					card.setDepartement(communes.departementOf(point).code());
				}
				return;
			} catch (IllegalArgumentException outOfRange) {
				// a position the profiles let through but no place has: the commune's is used
			}
		}
		commune.ifPresent(c -> card.setPosition(c.position()));
	}

	private static void specialties(ContextualCard card, List<CodeableConcept> specialties, String more) {
		List<String> labels = new ArrayList<>();
		if (more != null && !more.isBlank()) {
			labels.add(more);
		}
		for (CodeableConcept specialty : specialties) {
			for (Coding coding : specialty.getCoding()) {
				if (coding.hasCode()) {
					card.getSpecialties().add(coding.getCode());
				}
				if (coding.hasDisplay()) {
					labels.add(coding.getDisplay());
				}
			}
			if (specialty.hasText()) {
				labels.add(specialty.getText());
			}
		}
		card.setSpecialtyText(String.join(" | ", labels));
	}

	private static boolean claims(Resource resource, String profile) {
		return resource.getMeta().getProfile().stream().map(CanonicalType::getValue).anyMatch(profile::equals);
	}

	static String token(Identifier identifier) {
		return identifier.getSystem() + "|" + identifier.getValue();
	}

	private static String relative(Reference reference) {
		return reference.getReferenceElement().toUnqualifiedVersionless().getValue();
	}
}
