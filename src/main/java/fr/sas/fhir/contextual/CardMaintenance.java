package fr.sas.fhir.contextual;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import fr.sas.fhir.common.PerTransaction;
import jakarta.annotation.PostConstruct;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hibernate.FlushMode;
import org.hibernate.Session;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.transaction.support.TransactionSynchronization;

/**
 * Keeps the cards in step with the store, in the writing transaction: a write of a card's resource rebuilds its
 * card; a write of what cards are made of (a Practitioner's identifiers, a Location, an Organization's address)
 * rebuilds the cards made of it; a delete removes the card. The writes of a transaction are gathered and the cards
 * built just before it commits, reading what they are made of in one search per type (a 500-role transaction read
 * its practitioners one by one: a quarter of its time). Hibernate Search indexes the rows when the transaction
 * commits, so a search never sees a card its writer has not committed. The hooks sit on HAPI's storage-wide
 * interceptor service: writes of jobs and internal writes count too.
 */
class CardMaintenance {

	/** Ids per search: under HAPI's cap on a synchronous search's results. */
	static final int BATCH = 500;

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
		changed((Resource) resource, Optional.empty());
	}

	void written(Resource resource) {
		changed(resource, Optional.of(resource));
	}

	private void changed(Resource resource, Optional<Resource> now) {
		if (!(resource instanceof PractitionerRole || resource instanceof HealthcareService || resource instanceof Location
				|| resource instanceof Practitioner || resource instanceof Organization)) {
			return;
		}
		String reference = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
		Changes changes = PerTransaction.of(new ChangesKey(this, entityManager.unwrap(Session.class)), Changes::new);
		if (changes == null) {
			apply(Map.of(reference, now)); // no transaction to wait for
			return;
		}
		changes.byReference.remove(reference); // the last change of a resource is the one that counts
		changes.byReference.put(reference, now);
	}

	/** A transaction's changed resources (empty: deleted), by "Type/id", applied just before it commits. */
	private final class Changes implements TransactionSynchronization {

		private final Map<String, Optional<Resource>> byReference = new LinkedHashMap<>();

		@Override
		public void beforeCommit(boolean readOnly) {
			if (!byReference.isEmpty()) {
				Session session = entityManager.unwrap(Session.class);
				session.flush(); // the searches below read the transaction's own writes
				// Flushed: the reads below need not dirty-check the transaction's thousands of entities once more
				// each (Hibernate's auto-flush before every query took half of their time on a 500-role load).
				FlushMode mode = session.getHibernateFlushMode();
				session.setHibernateFlushMode(FlushMode.MANUAL);
				try {
					apply(byReference);
				} finally {
					session.setHibernateFlushMode(mode); // the cards written here are flushed with the commit
				}
			}
		}
	}

	/** The transaction's changes by their session (compared by identity): an inner REQUIRES_NEW has its own. */
	private record ChangesKey(CardMaintenance maintenance, Session session) {}

	/** Rebuilds the cards of the changed resources and of the cards made of them. */
	private void apply(Map<String, Optional<Resource>> changes) {
		// The cards made of a changed practitioner, place or organization, but those rebuilt anyway.
		Set<String> dependents = new LinkedHashSet<>();
		for (String column : List.of("practitioner", "organization", "place")) {
			String type = switch (column) {
				case "practitioner" -> "Practitioner";
				case "organization" -> "Organization";
				default -> "Location";
			};
			List<String> refs = changes.keySet().stream().filter(r -> r.startsWith(type + "/")).toList();
			for (int from = 0; from < refs.size(); from += BATCH) {
				dependents.addAll(entityManager.createQuery(
								"select c.id from ContextualCard c where c." + column + " in :refs", String.class)
						.setParameter("refs", refs.subList(from, Math.min(refs.size(), from + BATCH))).getResultList());
			}
		}
		dependents.removeAll(changes.keySet());
		Map<String, Optional<Resource>> known = new HashMap<>(changes);
		known.putAll(read(dependents));
		List<Resource> builds = new ArrayList<>();
		Set<String> removals = new LinkedHashSet<>();
		for (String reference : concat(changes.keySet(), dependents)) {
			Optional<Resource> resource = known.get(reference);
			if (resource.isPresent() && CardBuilder.makesACard(resource.get())) {
				builds.add(resource.get());
			} else if (!reference.startsWith("Practitioner/") && !reference.startsWith("Organization/")) {
				removals.add(reference); // deleted, gone, or no longer of a profile that makes a card
			}
		}
		for (String reference : removals) {
			ContextualCard stale = entityManager.find(ContextualCard.class, reference);
			if (stale != null) {
				entityManager.remove(stale);
			}
		}
		Set<String> sources = new LinkedHashSet<>(sourcesOf(builds));
		sources.removeAll(known.keySet());
		known.putAll(read(sources));
		CardBuilder builder = builder(known);
		builds.forEach(r -> store(builder.build(r)));
	}

	private static List<String> concat(Collection<String> a, Collection<String> b) {
		List<String> all = new ArrayList<>(a);
		all.addAll(b);
		return all;
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

	/** A builder that looks in {@code known} first (resources already read, or known absent, for a batch). */
	CardBuilder builder(Map<String, Optional<Resource>> known) {
		return new CardBuilder(communes, ref -> known.containsKey(ref) ? known.get(ref) : read(ref));
	}

	/** The stored resources a batch's cards are made of (practitioners, organizations, places), by "Type/id". */
	Map<String, Optional<Resource>> sourcesFor(Collection<Resource> batch) {
		return read(sourcesOf(batch));
	}

	private static Set<String> sourcesOf(Collection<Resource> batch) {
		Set<String> sources = new LinkedHashSet<>();
		for (Resource r : batch) {
			List<Reference> refs = new ArrayList<>();
			if (r instanceof PractitionerRole role) {
				refs.add(role.getPractitioner());
				refs.addAll(role.getLocation());
			} else if (r instanceof HealthcareService service) {
				refs.add(service.getProvidedBy());
				refs.addAll(service.getLocation());
			}
			for (Reference ref : refs) {
				if (ref.hasReference() && !ref.getReference().startsWith("#")) {
					sources.add(ref.getReferenceElement().toUnqualifiedVersionless().getValue());
				}
			}
		}
		return sources;
	}

	/**
	 * The stored resources of these "Type/id" references, in one search per type and BATCH ids; a reference
	 * found absent maps to empty, one this cannot search (no such type, no id) is left out.
	 */
	Map<String, Optional<Resource>> read(Collection<String> references) {
		Map<String, List<String>> idsByType = new LinkedHashMap<>();
		for (String reference : references) {
			IdType id = new IdType(reference);
			if (id.hasResourceType() && id.hasIdPart() && !id.isAbsolute() && reference.equals(id.getResourceType() + "/" + id.getIdPart())
					&& daoRegistry.isResourceTypeSupported(id.getResourceType())) {
				idsByType.computeIfAbsent(id.getResourceType(), k -> new ArrayList<>()).add(id.getIdPart());
			}
		}
		Map<String, Optional<Resource>> found = new HashMap<>();
		idsByType.forEach((type, ids) -> {
			for (int from = 0; from < ids.size(); from += BATCH) {
				List<String> slice = ids.subList(from, Math.min(ids.size(), from + BATCH));
				slice.forEach(id -> found.put(type + "/" + id, Optional.empty()));
				TokenOrListParam any = new TokenOrListParam();
				slice.forEach(id -> any.add(null, id));
				SearchParameterMap map = SearchParameterMap.newSynchronous();
				map.add("_id", any);
				for (IBaseResource r : daoRegistry.getResourceDao(type).search(map, new SystemRequestDetails()).getAllResources()) {
					found.put(type + "/" + r.getIdElement().getIdPart(), Optional.of((Resource) r));
				}
			}
		});
		return found;
	}

	private Optional<Resource> read(String reference) {
		int slash = reference.indexOf('/');
		if (slash < 0) {
			return Optional.empty();
		}
		try {
			return Optional.of((Resource) daoRegistry.getResourceDao(reference.substring(0, slash))
					.read(new IdType(reference), new SystemRequestDetails()));
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			return Optional.empty();
		}
	}
}
