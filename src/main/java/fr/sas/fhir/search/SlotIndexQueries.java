package fr.sas.fhir.search;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceContextType;
import jakarta.persistence.Query;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The few index lookups the guide's slot searches need, written against HAPI's own index tables
 * ({@code HFJ_SPIDX_TOKEN}, {@code HFJ_SPIDX_DATE}, {@code HFJ_RES_LINK}, {@code HFJ_RES_TAG}) and served by the
 * indexes HAPI declares on them. HAPI's generic search turns the chained identifier into nested sub-selects
 * and, for SOS Médecins, tests the three {@code _has} criteria independently; walking the chain one hop at a
 * time from the few identifiers given keeps each step an index range scan. Callers run inside a HAPI
 * read-only transaction.
 */
@Component
class SlotIndexQueries {

	/** Bind lists are cut below every supported database's limit. */
	private static final int CHUNK = 1000;
	private static final String TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";

	@PersistenceContext(type = PersistenceContextType.TRANSACTION)
	private EntityManager entityManager;

	private final PartitionSettings partitionSettings;

	SlotIndexQueries(PartitionSettings partitionSettings) {
		this.partitionSettings = partitionSettings;
	}

	/** A candidate slot: its resource id, its schedule's and its start. */
	record SlotRow(long slot, long schedule, Instant start) {}

	/** A reference between two stored resources. */
	record Link(long source, long target, String targetType) {}

	/** Resources of a type whose {@code identifier} is one of the tokens. */
	Set<Long> withIdentifier(String resourceType, List<GuideSearch.Token> tokens) {
		RequestPartitionId partition = RequestPartitionId.defaultPartition();
		List<Long> systemAndValue = new ArrayList<>();
		List<Long> valueOnly = new ArrayList<>();
		for (GuideSearch.Token token : tokens) {
			if (token.system() == null) {
				valueOnly.add(ResourceIndexedSearchParamToken.calculateHashValue(
						partitionSettings, partition, resourceType, "identifier", token.value()));
			} else {
				systemAndValue.add(ResourceIndexedSearchParamToken.calculateHashSystemAndValue(
						partitionSettings, partition, resourceType, "identifier", token.system(), token.value()));
			}
		}
		Set<Long> found = new LinkedHashSet<>();
		if (!systemAndValue.isEmpty()) {
			found.addAll(longs(entityManager
					.createNativeQuery("SELECT DISTINCT RES_ID FROM HFJ_SPIDX_TOKEN WHERE HASH_SYS_AND_VALUE IN (:h)")
					.setParameter("h", systemAndValue)));
		}
		if (!valueOnly.isEmpty()) {
			found.addAll(longs(entityManager
					.createNativeQuery("SELECT DISTINCT RES_ID FROM HFJ_SPIDX_TOKEN WHERE HASH_VALUE IN (:h)")
					.setParameter("h", valueOnly)));
		}
		return found;
	}

	/** Resources of {@code sourceType} referencing one of {@code targets} through one of {@code paths}. */
	Set<Long> referencing(Collection<Long> targets, String sourceType, Collection<String> paths) {
		Set<Long> found = new LinkedHashSet<>();
		for (List<Long> chunk : chunks(targets)) {
			found.addAll(longs(entityManager.createNativeQuery(
							"SELECT DISTINCT SRC_RESOURCE_ID FROM HFJ_RES_LINK WHERE TARGET_RESOURCE_ID IN (:t)"
									+ " AND SRC_PATH IN (:p) AND SOURCE_RESOURCE_TYPE = :type")
					.setParameter("t", chunk)
					.setParameter("p", paths)
					.setParameter("type", sourceType)));
		}
		return found;
	}

	/**
	 * Free slots of the schedules whose start lies in the bounds, ordered by start then id. {@code status=free}
	 * is matched on the token index exactly as HAPI's {@code status=free} search does (value hash).
	 */
	List<SlotRow> freeSlots(Collection<Long> schedules, Collection<String> schedulePaths, SearchBounds bounds) {
		RequestPartitionId partition = RequestPartitionId.defaultPartition();
		long startHash = BaseResourceIndexedSearchParam.calculateHashIdentity(partitionSettings, partition, "Slot", "start");
		long freeHash = ResourceIndexedSearchParamToken.calculateHashValue(partitionSettings, partition, "Slot", "status", "free");
		List<SlotRow> rows = new ArrayList<>();
		for (List<Long> chunk : chunks(schedules)) {
			@SuppressWarnings("unchecked")
			List<Object[]> result = entityManager.createNativeQuery(
							"SELECT l.SRC_RESOURCE_ID, l.TARGET_RESOURCE_ID, d.SP_VALUE_LOW FROM HFJ_RES_LINK l"
									+ " JOIN HFJ_SPIDX_DATE d ON d.RES_ID = l.SRC_RESOURCE_ID AND d.HASH_IDENTITY = :startHash"
									+ " WHERE l.TARGET_RESOURCE_ID IN (:s) AND l.SRC_PATH IN (:p) AND l.SOURCE_RESOURCE_TYPE = 'Slot'"
									+ " AND d.SP_VALUE_LOW >= :lo AND d.SP_VALUE_LOW <= :hi"
									+ " AND EXISTS (SELECT 1 FROM HFJ_SPIDX_TOKEN t WHERE t.RES_ID = l.SRC_RESOURCE_ID AND t.HASH_VALUE = :freeHash)")
					.setParameter("startHash", startHash)
					.setParameter("freeHash", freeHash)
					.setParameter("s", chunk)
					.setParameter("p", schedulePaths)
					.setParameter("lo", Date.from(bounds.lowest()))
					.setParameter("hi", Date.from(bounds.highest()))
					.getResultList();
			for (Object[] row : result) {
				rows.add(new SlotRow(number(row[0]), number(row[1]), instant(row[2])));
			}
		}
		rows.sort((a, b) -> a.start().equals(b.start()) ? Long.compare(a.slot(), b.slot()) : a.start().compareTo(b.start()));
		return rows;
	}

	/** The references from {@code sources} through {@code paths}, to stored resources ({@code targetType} if given). */
	List<Link> links(Collection<Long> sources, Collection<String> paths, String targetType) {
		List<Link> links = new ArrayList<>();
		for (List<Long> chunk : chunks(sources)) {
			Query query = entityManager.createNativeQuery(
							"SELECT SRC_RESOURCE_ID, TARGET_RESOURCE_ID, TARGET_RESOURCE_TYPE FROM HFJ_RES_LINK"
									+ " WHERE SRC_RESOURCE_ID IN (:s) AND SRC_PATH IN (:p) AND TARGET_RESOURCE_ID IS NOT NULL"
									+ (targetType == null ? "" : " AND TARGET_RESOURCE_TYPE = :type"))
					.setParameter("s", chunk)
					.setParameter("p", paths);
			if (targetType != null) {
				query.setParameter("type", targetType);
			}
			@SuppressWarnings("unchecked")
			List<Object[]> result = query.getResultList();
			for (Object[] row : result) {
				links.add(new Link(number(row[0]), number(row[1]), (String) row[2]));
			}
		}
		return links;
	}

	/** Which of the slots carry the CPTS security label (TRE_R314) in their current version. */
	Set<Long> cptsTagged(Collection<Long> slots) {
		Set<Long> found = new LinkedHashSet<>();
		for (List<Long> chunk : chunks(slots)) {
			found.addAll(longs(entityManager.createNativeQuery(
							"SELECT DISTINCT rt.RES_ID FROM HFJ_RES_TAG rt JOIN HFJ_TAG_DEF td ON td.TAG_ID = rt.TAG_ID"
									+ " WHERE rt.RES_ID IN (:s) AND td.TAG_SYSTEM = :system AND td.TAG_CODE = 'CPTS'")
					.setParameter("s", chunk)
					.setParameter("system", TYPE_CRENEAU)));
		}
		return found;
	}

	/** The FHIR id of each resource id. */
	java.util.Map<String, Long> fhirIds(Collection<Long> resources) {
		java.util.Map<String, Long> ids = new java.util.HashMap<>();
		for (List<Long> chunk : chunks(resources)) {
			@SuppressWarnings("unchecked")
			List<Object[]> result = entityManager
					.createNativeQuery("SELECT RES_ID, FHIR_ID FROM HFJ_RESOURCE WHERE RES_ID IN (:r)")
					.setParameter("r", chunk)
					.getResultList();
			for (Object[] row : result) {
				ids.put((String) row[1], number(row[0]));
			}
		}
		return ids;
	}

	private static List<List<Long>> chunks(Collection<Long> ids) {
		List<Long> all = new ArrayList<>(ids);
		List<List<Long>> chunks = new ArrayList<>();
		for (int i = 0; i < all.size(); i += CHUNK) {
			chunks.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
		}
		return chunks;
	}

	@SuppressWarnings("unchecked")
	private static List<Long> longs(Query query) {
		return ((List<Object>) query.getResultList()).stream().map(SlotIndexQueries::number).toList();
	}

	private static long number(Object value) {
		return ((Number) value).longValue();
	}

	private static Instant instant(Object value) {
		if (value instanceof Timestamp timestamp) {
			return timestamp.toInstant();
		}
		if (value instanceof Date date) {
			return date.toInstant();
		}
		if (value instanceof java.time.LocalDateTime local) {
			return Timestamp.valueOf(local).toInstant();
		}
		if (value instanceof java.time.OffsetDateTime offset) {
			return offset.toInstant();
		}
		throw new IllegalStateException("Unexpected date column type " + value.getClass());
	}
}
