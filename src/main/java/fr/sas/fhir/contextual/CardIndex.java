package fr.sas.fhir.contextual;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.hibernate.search.engine.spatial.DistanceUnit;
import org.hibernate.search.mapper.orm.Search;
import org.springframework.transaction.annotation.Transactional;

/**
 * Finds cards: within a radius of a point (Hibernate Search's spatial predicate on the card index), or by a
 * practitioner's national identifiers. Without the full-text index ({@code sas.index.enabled=false}) the same
 * questions go to the card table (a bounding box, then the exact distance).
 */
class CardIndex {

	/** More cards than this around one place is a radius no regulator can use; the nearest or drawn ones are kept. */
	static final int MAX_CANDIDATES = 5_000;

	private final boolean fullText;

	@PersistenceContext
	private EntityManager entityManager;

	CardIndex(boolean fullText) {
		this.fullText = fullText;
	}

	/** The placed cards within {@code radiusKm} of {@code centre}, of these kinds, with one of {@code codes} when given. */
	@Transactional(readOnly = true)
	public List<ContextualCard> within(GeoPoint centre, double radiusKm, Set<ContextualCard.Kind> kinds, Collection<String> codes) {
		List<String> kindNames = kinds.stream().map(Enum::name).toList();
		if (fullText) {
			return Search.session(entityManager).search(ContextualCard.class)
					.where(f -> f.bool(b -> {
						b.must(f.spatial().within().field("position")
								.circle(centre.latitude(), centre.longitude(), radiusKm, DistanceUnit.KILOMETERS));
						b.must(f.terms().field("kind").matchingAny(kindNames));
						if (!codes.isEmpty()) {
							b.must(f.terms().field("specialties").matchingAny(codes));
						}
					}))
					.fetchHits(MAX_CANDIDATES);
		}
		double dLat = radiusKm / 111.0;
		double dLon = radiusKm / (111.0 * Math.max(0.01, Math.cos(Math.toRadians(centre.latitude()))));
		List<ContextualCard> box = entityManager.createQuery("select c from ContextualCard c where c.placed = true"
						+ " and c.latitude between :s and :n and c.longitude between :w and :e and c.kind in :kinds",
						ContextualCard.class)
				.setParameter("s", centre.latitude() - dLat).setParameter("n", centre.latitude() + dLat)
				.setParameter("w", centre.longitude() - dLon).setParameter("e", centre.longitude() + dLon)
				.setParameter("kinds", kindNames)
				.getResultList();
		return box.stream()
				.filter(c -> c.getPosition().distanceKm(centre) <= radiusKm)
				.filter(c -> codes.isEmpty() || c.getSpecialties().stream().anyMatch(codes::contains))
				.limit(MAX_CANDIDATES)
				.toList();
	}

	/** The individual cards of the practitioner holding one of these identifiers ("system|value"). */
	@Transactional(readOnly = true)
	public List<ContextualCard> ofPractitioner(Collection<String> tokens) {
		if (tokens.isEmpty()) {
			return List.of();
		}
		if (fullText) {
			return Search.session(entityManager).search(ContextualCard.class)
					.where(f -> f.bool(b -> {
						b.must(f.terms().field("nationalIds").matchingAny(tokens));
						b.must(f.match().field("kind").matching(ContextualCard.Kind.INDIVIDUAL.name()));
					}))
					.fetchHits(100);
		}
		return entityManager.createQuery("select distinct c from ContextualCard c join c.nationalIds n where n in :tokens"
						+ " and c.kind = :kind", ContextualCard.class)
				.setParameter("tokens", tokens).setParameter("kind", ContextualCard.Kind.INDIVIDUAL.name())
				.setMaxResults(100).getResultList();
	}
}
