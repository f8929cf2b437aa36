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
 * Finds cards: within a radius of a point (Hibernate Search's spatial predicate on the card index, projecting
 * the id, kind and position without loading the rows), or by a practitioner's national identifiers. Without the
 * full-text index ({@code sas.index.enabled=false}) the same questions go to the card table (a bounding box,
 * then the exact distance).
 */
class CardIndex {

	/** More cards than this around one place is a radius no regulator can use. */
	static final int MAX_CANDIDATES = 20_000;
	static final int FIRST_FETCH = 5_000;

	private final boolean fullText;

	@PersistenceContext
	private EntityManager entityManager;

	CardIndex(boolean fullText) {
		this.fullText = fullText;
	}

	/**
	 * The placed cards within {@code radiusKm} of {@code centre}, of these kinds, with one of {@code codes} when
	 * given, with their distance to the centre. The index is asked for the circle's bounding box, and the corners
	 * are dropped here: Lucene's circle query builds a grid of the circle's sub-boxes for every query, which cost
	 * more than the whole rest of the search; the box is a plain comparison of encoded coordinates.
	 */
	@Transactional(readOnly = true)
	public List<CardHit> within(GeoPoint centre, double radiusKm, Set<ContextualCard.Kind> kinds, Collection<String> codes) {
		List<String> kindNames = kinds.stream().map(Enum::name).toList();
		// A degree of latitude is 111.2 km: dividing by 111 gives a box a little larger than the circle's.
		double dLat = radiusKm / 111.0;
		double dLon = radiusKm / (111.0 * Math.max(0.01, Math.cos(Math.toRadians(centre.latitude()))));
		if (fullText) {
			// The id and the distance only: both come from doc values (stored fields cost a block decompression per hit).
			org.hibernate.search.engine.spatial.GeoPoint from =
					org.hibernate.search.engine.spatial.GeoPoint.of(centre.latitude(), centre.longitude());
			java.util.function.Function<org.hibernate.search.engine.search.predicate.dsl.SearchPredicateFactory,
					org.hibernate.search.engine.search.predicate.dsl.PredicateFinalStep> where = f -> f.bool(b -> {
						// Filters, not scored clauses: the hits are ordered afterwards (by draw or distance), never by score.
						b.filter(f.spatial().within().field("position").boundingBox(Math.min(90, centre.latitude() + dLat),
								centre.longitude() - dLon, Math.max(-90, centre.latitude() - dLat), centre.longitude() + dLon));
						if (kinds.size() < ContextualCard.Kind.values().length) { // every kind: a clause matching every card
							b.filter(f.terms().field("kind").matchingAny(kindNames));
						}
						if (!codes.isEmpty()) {
							b.filter(f.terms().field("specialties").matchingAny(codes));
						}
					});
			// A collector sized to MAX_CANDIDATES would fill a priority queue of 20,000 entries for every search:
			// most places hold fewer than FIRST_FETCH cards, the others are fetched again with room for all.
			List<CardHit> hits = fetch(Search.session(entityManager), where, from, FIRST_FETCH);
			if (hits.size() >= FIRST_FETCH) {
				hits = fetch(Search.session(entityManager), where, from, MAX_CANDIDATES);
			}
			return hits.stream().filter(hit -> hit.distanceKm() <= radiusKm).toList();
		}
		String specialty = codes.isEmpty() ? "" : " and exists (select s from ContextualCard d join d.specialties s"
				+ " where d.id = c.id and s in :codes)";
		var query = entityManager.createQuery("select c.id, c.kind, c.latitude, c.longitude from ContextualCard c"
						+ " where c.placed = true and c.latitude between :s and :n and c.longitude between :w and :e"
						+ " and c.kind in :kinds" + specialty, Object[].class)
				.setParameter("s", centre.latitude() - dLat).setParameter("n", centre.latitude() + dLat)
				.setParameter("w", centre.longitude() - dLon).setParameter("e", centre.longitude() + dLon)
				.setParameter("kinds", kindNames);
		if (!codes.isEmpty()) {
			query.setParameter("codes", codes);
		}
		return query.getResultList().stream()
				.map(r -> CardHit.of((String) r[0], new GeoPoint((Double) r[2], (Double) r[3]).distanceKm(centre)))
				.filter(hit -> hit.distanceKm() <= radiusKm)
				.limit(MAX_CANDIDATES)
				.toList();
	}

	private static List<CardHit> fetch(org.hibernate.search.mapper.orm.session.SearchSession session,
			java.util.function.Function<org.hibernate.search.engine.search.predicate.dsl.SearchPredicateFactory,
					org.hibernate.search.engine.search.predicate.dsl.PredicateFinalStep> where,
			org.hibernate.search.engine.spatial.GeoPoint from, int limit) {
		return session.search(ContextualCard.class)
				.select(f -> hit(f, from))
				.where(where::apply)
				.sort(f -> f.indexOrder()) // no score to compute nor rank: the order is decided afterwards
				.fetchHits(limit);
	}

	/** A hit as a card: its id and its distance from {@code from}, both read from doc values. */
	private static org.hibernate.search.engine.search.projection.dsl.ProjectionFinalStep<CardHit> hit(
			org.hibernate.search.engine.search.projection.dsl.SearchProjectionFactory<?, ?> f,
			org.hibernate.search.engine.spatial.GeoPoint from) {
		return f.composite().from(f.id(String.class), f.distance("position", from).unit(DistanceUnit.KILOMETERS))
				.as((id, distance) -> CardHit.of(id, distance == null ? Double.NaN : distance));
	}

	/**
	 * The individual cards of the practitioner holding one of these identifiers ("system|value"), with their
	 * distance to {@code centre} ({@code NaN} for a card without position): projected, no card row loaded.
	 */
	@Transactional(readOnly = true)
	public List<CardHit> ofPractitioner(Collection<String> tokens, GeoPoint centre) {
		if (tokens.isEmpty()) {
			return List.of();
		}
		if (fullText) {
			org.hibernate.search.engine.spatial.GeoPoint from =
					org.hibernate.search.engine.spatial.GeoPoint.of(centre.latitude(), centre.longitude());
			return Search.session(entityManager).search(ContextualCard.class)
					.select(f -> hit(f, from))
					.where(f -> f.bool(b -> {
						b.filter(f.terms().field("nationalIds").matchingAny(tokens));
						b.filter(f.match().field("kind").matching(ContextualCard.Kind.INDIVIDUAL.name()));
					}))
					.fetchHits(100);
		}
		return entityManager.createQuery("select distinct c.id, c.latitude, c.longitude from ContextualCard c"
						+ " join c.nationalIds n where n in :tokens and c.kind = :kind", Object[].class)
				.setParameter("tokens", tokens).setParameter("kind", ContextualCard.Kind.INDIVIDUAL.name())
				.setMaxResults(100).getResultList().stream()
				.map(r -> CardHit.of((String) r[0], r[1] == null || r[2] == null ? Double.NaN
						: new GeoPoint((Double) r[1], (Double) r[2]).distanceKm(centre)))
				.toList();
	}

	/** The cards of these ids (for their specialty labels), by id. */
	@Transactional(readOnly = true)
	public java.util.Map<String, ContextualCard> load(Collection<String> ids) {
		java.util.Map<String, ContextualCard> byId = new java.util.HashMap<>();
		if (!ids.isEmpty()) {
			entityManager.createQuery("select c from ContextualCard c where c.id in :ids", ContextualCard.class)
					.setParameter("ids", ids).getResultList().forEach(c -> byId.put(c.getId(), c));
		}
		return byId;
	}
}
