package fr.sas.fhir.contextual;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.annotation.PostConstruct;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Resource;

/**
 * Keeps the cards in step with the store, in the writing transaction: a write of a card's resource rebuilds its
 * card; a write of what cards are made of (a Practitioner's identifiers, a Location, an Organization's address)
 * rebuilds the cards made of it; a delete removes the card. Hibernate Search indexes the rows when the transaction
 * commits, so a search never sees a card its writer has not committed. The hooks sit on HAPI's storage-wide
 * interceptor service: writes of jobs and internal writes count too.
 */
class CardMaintenance {

	private final IInterceptorService storageInterceptors;
	private final DaoRegistry daoRegistry;
	private final CommuneDirectory communes;

	@PersistenceContext
	private EntityManager entityManager;

	CardMaintenance(IInterceptorService storageInterceptors, DaoRegistry daoRegistry, CommuneDirectory communes) {
		this.storageInterceptors = storageInterceptors;
		this.daoRegistry = daoRegistry;
		this.communes = communes;
	}

	@PostConstruct
	void listenToEveryWrite() {
		storageInterceptors.registerInterceptor(this);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		written((Resource) resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource oldResource, IBaseResource newResource) {
		written((Resource) newResource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		Resource r = (Resource) resource;
		String reference = r.fhirType() + "/" + r.getIdElement().getIdPart();
		ContextualCard card = entityManager.find(ContextualCard.class, reference);
		if (card != null) {
			entityManager.remove(card);
		}
		rebuildDependents(r, reference);
	}

	void written(Resource resource) {
		if (!(resource instanceof PractitionerRole || resource instanceof HealthcareService || resource instanceof Location
				|| resource instanceof Practitioner || resource instanceof Organization)) {
			return;
		}
		String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
		if (CardBuilder.makesACard(resource)) {
			store(builder().build(resource));
		} else {
			ContextualCard stale = entityManager.find(ContextualCard.class, reference);
			if (stale != null) {
				entityManager.remove(stale); // no longer of a profile that makes a card
			}
		}
		rebuildDependents(resource, reference);
	}

	/** The cards made of this resource (a practitioner's roles, a place's roles, an organization's CPTS). */
	private void rebuildDependents(Resource resource, String reference) {
		String column = switch (resource.fhirType()) {
			case "Practitioner" -> "practitioner";
			case "Organization" -> "organization";
			case "Location" -> "place";
			default -> null;
		};
		if (column == null) {
			return;
		}
		List<String> dependents = entityManager.createQuery(
						"select c.id from ContextualCard c where c." + column + " = :ref and c.id <> :ref", String.class)
				.setParameter("ref", reference).getResultList();
		for (String dependent : dependents) {
			read(dependent).ifPresentOrElse(r -> store(builder().build(r)), () -> {
				ContextualCard gone = entityManager.find(ContextualCard.class, dependent);
				if (gone != null) {
					entityManager.remove(gone);
				}
			});
		}
	}

	void store(Optional<ContextualCard> built) {
		if (built.isEmpty()) {
			return;
		}
		ContextualCard card = built.get();
		ContextualCard stored = entityManager.find(ContextualCard.class, card.getId());
		if (stored == null) {
			entityManager.persist(card);
		} else if (!stored.sameAs(card)) {
			stored.copyFrom(card);
		}
	}

	CardBuilder builder() {
		return new CardBuilder(communes, this::read);
	}

	/** A builder that looks in {@code known} first (resources already read for a batch). */
	CardBuilder builder(java.util.Map<String, Resource> known) {
		return new CardBuilder(communes, ref -> known.containsKey(ref) ? Optional.of(known.get(ref)) : read(ref));
	}

	private Optional<Resource> read(String reference) {
		int slash = reference.indexOf('/');
		if (slash < 0) {
			return Optional.empty();
		}
		try {
			return Optional.of((Resource) daoRegistry.getResourceDao(reference.substring(0, slash))
					.read(new org.hl7.fhir.r4.model.IdType(reference), new SystemRequestDetails()));
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			return Optional.empty();
		}
	}
}
