package fr.sas.fhir.search;

import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.SearchBounds;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.BaseResourceIndexedSearchParam;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceContextType;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hibernate.Session;
import org.springframework.stereotype.Component;

/**
 * The few index lookups the guide's slot searches need, written against HAPI's own index tables
 * ({@code HFJ_SPIDX_TOKEN}, {@code HFJ_SPIDX_DATE}, {@code HFJ_RES_LINK}, {@code HFJ_RESOURCE}) and served by the
 * indexes HAPI declares on them. HAPI's generic search turns the chained identifier into nested sub-selects
 * and, for SOS Médecins, tests the three {@code _has} criteria independently; walking the chain one hop at a
 * time from the few identifiers given keeps each step an index lookup. Id lists are bound as one array
 * ({@code = ANY(?)}), which H2 and PostgreSQL both serve from the index, where a long {@code IN (?, ?, ...)}
 * list makes H2 scan. Callers run inside a HAPI read-only transaction, whose connection these queries share.
 */
@Component
class SlotIndexQueries {

	/** Ids per query where the list may be long (see {@link #inChunks}). */
	static final int CHUNK = 256;

	@PersistenceContext(type = PersistenceContextType.TRANSACTION)
	private EntityManager entityManager;

	private final PartitionSettings partitionSettings;

	SlotIndexQueries(PartitionSettings partitionSettings) {
		this.partitionSettings = partitionSettings;
	}

	/**
	 * A candidate slot: its resource id, its schedule's, its start, its current stored version, and its references
	 * to stored resources when known (null: not read).
	 */
	record SlotRow(long slot, long schedule, Instant start, EncodedResources.Key key, List<PathLink> links) {

		SlotRow withLinks(List<PathLink> outgoing) {
			return new SlotRow(slot, schedule, start, key, outgoing);
		}
	}

	/** A reference from a resource, by the index path HAPI recorded it under. */
	record PathLink(String path, long target, String targetType) {}

	/** A reference between two stored resources. */
	record Link(long source, long target, String targetType) {}

	/** Resources of a type whose {@code identifier} is one of the tokens. */
	Set<Long> withIdentifier(String resourceType, List<GuideSearchRequest.Token> tokens) {
		RequestPartitionId partition = RequestPartitionId.defaultPartition();
		List<Long> systemAndValue = new ArrayList<>();
		List<Long> valueOnly = new ArrayList<>();
		for (GuideSearchRequest.Token token : tokens) {
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
			found.addAll(ids("SELECT RES_ID FROM HFJ_SPIDX_TOKEN WHERE HASH_SYS_AND_VALUE = ANY(?)", systemAndValue));
		}
		if (!valueOnly.isEmpty()) {
			found.addAll(ids("SELECT RES_ID FROM HFJ_SPIDX_TOKEN WHERE HASH_VALUE = ANY(?)", valueOnly));
		}
		return found;
	}

	/** Resources of {@code sourceType} referencing one of {@code targets} through one of {@code paths}. */
	Set<Long> referencing(Collection<Long> targets, String sourceType, Collection<String> paths) {
		return new LinkedHashSet<>(query(
				"SELECT SRC_RESOURCE_ID FROM HFJ_RES_LINK WHERE TARGET_RESOURCE_ID = ANY(?) AND SRC_PATH = ANY(?)"
						+ " AND SOURCE_RESOURCE_TYPE = ?",
				(c, s) -> {
					s.setArray(1, longs(c, targets));
					s.setArray(2, strings(c, paths));
					s.setString(3, sourceType);
				},
				r -> r.getLong(1)));
	}

	/**
	 * A schedule, its FHIR id, the actor it was found through, the shared change counters of its slots and of all
	 * slots (see FreeSlotIndex), and its current resource version (0 when deleted).
	 */
	record ScheduleVersion(long schedule, String id, long actor, long version, long everything, long resourceVersion) {}

	/**
	 * The schedules referencing the actors through the paths, each with its FHIR id, the (first) actor it
	 * references, and the shared counters {@link FreeSlotIndex} compares its kept lists with, in the one query that
	 * finds them.
	 */
	List<ScheduleVersion> schedulesOf(Collection<Long> actors, Collection<String> paths) {
		Map<Long, ScheduleVersion> found = new java.util.LinkedHashMap<>();
		for (ScheduleVersion schedule : inChunks(actors, chunk -> query(
				"SELECT l.SRC_RESOURCE_ID, r.FHIR_ID, l.TARGET_RESOURCE_ID, COALESCE(c.VERSION, 0),"
						+ " COALESCE((SELECT a.VERSION FROM SAS_CHANGE_COUNTER a WHERE a.NAME = ?), 0),"
						+ " CASE WHEN r.RES_DELETED_AT IS NULL THEN r.RES_VER ELSE 0 END"
						+ " FROM HFJ_RES_LINK l JOIN HFJ_RESOURCE r ON r.RES_ID = l.SRC_RESOURCE_ID"
						+ " LEFT JOIN SAS_CHANGE_COUNTER c ON c.NAME = CONCAT(?, r.FHIR_ID)"
						+ " WHERE l.TARGET_RESOURCE_ID = ANY(?) AND l.SRC_PATH = ANY(?) AND l.SOURCE_RESOURCE_TYPE = 'Schedule'",
				(c, s) -> {
					s.setString(1, FreeSlotIndex.ALL_SLOTS);
					s.setString(2, FreeSlotIndex.counterName(""));
					s.setArray(3, longs(c, chunk));
					s.setArray(4, strings(c, paths));
				},
				r -> new ScheduleVersion(r.getLong(1), r.getString(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6))))) {
			found.putIfAbsent(schedule.schedule(), schedule);
		}
		return new ArrayList<>(found.values());
	}

	/**
	 * Every stored Schedule, deleted ones too (a slot's link to its schedule outlives the schedule), each with its FHIR
	 * id and the shared counters {@link FreeSlotIndex} compares its kept lists with: one query, one row per schedule
	 * (the sorted page of free slots, {@link SortedFreeSlots}).
	 */
	List<ScheduleVersion> everySchedule() {
		return query(
				"SELECT r.RES_ID, r.FHIR_ID, COALESCE(c.VERSION, 0),"
						+ " COALESCE((SELECT a.VERSION FROM SAS_CHANGE_COUNTER a WHERE a.NAME = ?), 0),"
						+ " CASE WHEN r.RES_DELETED_AT IS NULL THEN r.RES_VER ELSE 0 END"
						+ " FROM HFJ_RESOURCE r LEFT JOIN SAS_CHANGE_COUNTER c ON c.NAME = CONCAT(?, r.FHIR_ID)"
						+ " WHERE r.RES_TYPE = 'Schedule'",
				(c, s) -> {
					s.setString(1, FreeSlotIndex.ALL_SLOTS);
					s.setString(2, FreeSlotIndex.counterName(""));
				},
				r -> new ScheduleVersion(r.getLong(1), r.getString(2), 0, r.getLong(3), r.getLong(4), r.getLong(5)));
	}

	/**
	 * Free slots of the schedules whose start lies in the bounds, ordered by start then id. {@code status=free}
	 * is matched on the token index exactly as HAPI's {@code status=free} search does (value hash).
	 */
	List<SlotRow> freeSlots(Collection<Long> schedules, Collection<String> schedulePaths, SearchBounds bounds) {
		return inStartOrder(freeSlotRows(schedules, schedulePaths, bounds));
	}

	/** All the free slots of the schedules, whatever their start (for {@link FreeSlotIndex}). */
	List<SlotRow> freeSlotsOf(Collection<Long> schedules, Collection<String> schedulePaths) {
		return freeSlotRows(schedules, schedulePaths, null);
	}

	private List<SlotRow> freeSlotRows(Collection<Long> schedules, Collection<String> schedulePaths, SearchBounds bounds) {
		// Two steps: the schedules' slots from the link index, then the start, status and version of those. As one
		// join, H2 began with the status index — every free slot of the store, whatever the schedules: 24-125 ms
		// for 3 to 25 schedules on 15,000 slots, against 1 ms (docs/operations.md), and linear in the store's size.
		Map<Long, Long> scheduleOfSlot = new HashMap<>();
		for (long[] link : inChunks(schedules, chunk -> query(
				"SELECT SRC_RESOURCE_ID, TARGET_RESOURCE_ID FROM HFJ_RES_LINK WHERE TARGET_RESOURCE_ID = ANY(?)"
						+ " AND SRC_PATH = ANY(?)",
				(c, s) -> {
					s.setArray(1, longs(c, chunk));
					s.setArray(2, strings(c, schedulePaths));
				},
				r -> new long[] {r.getLong(1), r.getLong(2)}))) {
			scheduleOfSlot.put(link[0], link[1]);
		}
		if (scheduleOfSlot.isEmpty()) {
			return List.of();
		}
		RequestPartitionId partition = RequestPartitionId.defaultPartition();
		long startHash = BaseResourceIndexedSearchParam.calculateHashIdentity(partitionSettings, partition, "Slot", "start");
		long freeHash = ResourceIndexedSearchParamToken.calculateHashValue(partitionSettings, partition, "Slot", "status", "free");
		return inChunks(scheduleOfSlot.keySet(), chunk -> query(
				// status=free is matched on the token index exactly as HAPI's status=free search does (value hash);
				// the slot's current version comes along, so its stored JSON needs no further lookup. The ids are
				// joined as a table (UNNEST): with "d.RES_ID = ANY(?)" H2 read every slot's start row for each
				// query (3 s for 15,000 slots, against 0.2-0.3 s so).
				"SELECT d.RES_ID, d.SP_VALUE_LOW, r.FHIR_ID, r.RES_VER FROM UNNEST(?) AS u(X)"
						+ " JOIN HFJ_SPIDX_DATE d ON d.RES_ID = u.X AND d.HASH_IDENTITY = ?"
						+ (bounds == null ? "" : " AND d.SP_VALUE_LOW >= ? AND d.SP_VALUE_LOW <= ?")
						+ " JOIN HFJ_SPIDX_TOKEN t ON t.RES_ID = d.RES_ID AND t.HASH_VALUE = ?"
						+ " JOIN HFJ_RESOURCE r ON r.RES_ID = d.RES_ID AND r.RES_DELETED_AT IS NULL",
				(c, s) -> {
					int p = 1;
					s.setArray(p++, longs(c, chunk));
					s.setLong(p++, startHash);
					if (bounds != null) {
						s.setTimestamp(p++, new Timestamp(bounds.lowest().toEpochMilli()));
						s.setTimestamp(p++, new Timestamp(bounds.highest().toEpochMilli()));
					}
					s.setLong(p, freeHash);
				},
				r -> new SlotRow(r.getLong(1), scheduleOfSlot.get(r.getLong(1)), r.getTimestamp(2).toInstant(),
						new EncodedResources.Key(r.getLong(1), "Slot", r.getString(3), r.getLong(4)), null)));
	}

	/** The rows by start then slot id, each slot once. */
	static List<SlotRow> inStartOrder(Collection<SlotRow> rows) {
		List<SlotRow> sorted = new ArrayList<>(rows);
		sorted.sort((a, b) -> a.start().equals(b.start()) ? Long.compare(a.slot(), b.slot()) : a.start().compareTo(b.start()));
		Set<Long> seen = new java.util.HashSet<>();
		sorted.removeIf(row -> !seen.add(row.slot()));
		return sorted;
	}

	/** Every reference from the resources to a stored resource, by source. */
	Map<Long, List<PathLink>> outgoingLinks(Collection<Long> sources) {
		Map<Long, List<PathLink>> links = new HashMap<>();
		for (Object[] row : inChunks(sources, chunk -> query(
				// joined as a table: see freeSlotRows
				"SELECT l.SRC_RESOURCE_ID, l.SRC_PATH, l.TARGET_RESOURCE_ID, l.TARGET_RESOURCE_TYPE FROM UNNEST(?) AS u(X)"
						+ " JOIN HFJ_RES_LINK l ON l.SRC_RESOURCE_ID = u.X AND l.TARGET_RESOURCE_ID IS NOT NULL",
				(c, s) -> s.setArray(1, longs(c, chunk)),
				// Paths and types repeat on every slot: one copy of each is kept.
				r -> new Object[] {r.getLong(1), new PathLink(r.getString(2).intern(), r.getLong(3), r.getString(4).intern())}))) {
			links.computeIfAbsent((Long) row[0], k -> new ArrayList<>()).add((PathLink) row[1]);
		}
		return links;
	}

	/** The stored, not deleted, resources of a type with these FHIR ids, with their current version, by pid. */
	Map<Long, EncodedResources.Key> keysOf(String resourceType, Collection<String> fhirIds) {
		return byPid(query("SELECT RES_ID, RES_TYPE, FHIR_ID, RES_VER FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND FHIR_ID = ANY(?)"
						+ " AND RES_DELETED_AT IS NULL",
				(c, s) -> {
					s.setString(1, resourceType);
					s.setArray(2, strings(c, fhirIds));
				},
				SlotIndexQueries::key));
	}

	/** The references from {@code sources} through {@code paths}, to stored resources ({@code targetType} if given). */
	List<Link> links(Collection<Long> sources, Collection<String> paths, String targetType) {
		return inChunks(sources, chunk -> query(
				"SELECT SRC_RESOURCE_ID, TARGET_RESOURCE_ID, TARGET_RESOURCE_TYPE FROM HFJ_RES_LINK"
						+ " WHERE SRC_RESOURCE_ID = ANY(?) AND SRC_PATH = ANY(?) AND TARGET_RESOURCE_ID IS NOT NULL"
						+ (targetType == null ? "" : " AND TARGET_RESOURCE_TYPE = ?"),
				(c, s) -> {
					s.setArray(1, longs(c, chunk));
					s.setArray(2, strings(c, paths));
					if (targetType != null) {
						s.setString(3, targetType);
					}
				},
				r -> new Link(r.getLong(1), r.getLong(2), r.getString(3))));
	}

	/** The type, FHIR id and current version of each stored, not deleted, resource. */
	Map<Long, EncodedResources.Key> keys(Collection<Long> resources) {
		return byPid(inChunks(resources, chunk -> query(
				"SELECT RES_ID, RES_TYPE, FHIR_ID, RES_VER FROM HFJ_RESOURCE WHERE RES_ID = ANY(?) AND RES_DELETED_AT IS NULL",
				(c, s) -> s.setArray(1, longs(c, chunk)),
				SlotIndexQueries::key)));
	}

	/** Current resources of a type, by resource id, the {@code limit} after {@code afterPid} (a keyset page). */
	List<EncodedResources.Key> currentKeys(String type, long afterPid, int limit) {
		return query(
				"SELECT RES_ID, RES_TYPE, FHIR_ID, RES_VER FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND RES_ID > ?"
						+ " AND RES_DELETED_AT IS NULL ORDER BY RES_ID LIMIT ?",
				(c, s) -> {
					s.setString(1, type);
					s.setLong(2, afterPid);
					s.setInt(3, limit);
				},
				SlotIndexQueries::key);
	}

	/**
	 * Whether a live Slot has no link to a stored schedule through the paths: its schedule is a contained resource
	 * (HAPI's referential integrity refuses a reference to a schedule not stored). One anti-join over the slots.
	 */
	boolean anySlotWithoutStoredSchedule(Collection<String> schedulePaths) {
		return !query("SELECT r.RES_ID FROM HFJ_RESOURCE r WHERE r.RES_TYPE = 'Slot' AND r.RES_DELETED_AT IS NULL"
						+ " AND NOT EXISTS (SELECT 1 FROM HFJ_RES_LINK l WHERE l.SRC_RESOURCE_ID = r.RES_ID"
						+ " AND l.SRC_PATH = ANY(?)) FETCH FIRST 1 ROWS ONLY",
				(c, s) -> s.setArray(1, strings(c, schedulePaths)),
				r -> r.getLong(1)).isEmpty();
	}

	/** A live resource's current version and when it was written (epoch milliseconds). */
	record StoredVersion(long pid, long version, long updated) {}

	/** The current version of each of these resources that is stored and not deleted. */
	List<StoredVersion> currentVersions(Collection<Long> pids) {
		return inChunks(pids, chunk -> query(
				// joined as a table: see freeSlotRows
				"SELECT r.RES_ID, r.RES_VER, r.RES_UPDATED FROM UNNEST(?) AS u(X)"
						+ " JOIN HFJ_RESOURCE r ON r.RES_ID = u.X AND r.RES_DELETED_AT IS NULL",
				(c, s) -> s.setArray(1, longs(c, chunk)),
				r -> new StoredVersion(r.getLong(1), r.getLong(2), r.getTimestamp(3).getTime())));
	}

	private static EncodedResources.Key key(ResultSet r) throws SQLException {
		return new EncodedResources.Key(r.getLong(1), r.getString(2), r.getString(3), r.getLong(4));
	}

	private static Map<Long, EncodedResources.Key> byPid(List<EncodedResources.Key> keys) {
		Map<Long, EncodedResources.Key> byPid = new HashMap<>();
		keys.forEach(key -> byPid.put(key.pid(), key));
		return byPid;
	}

	private List<Long> ids(String sql, List<Long> values) {
		return query(sql, (c, s) -> s.setArray(1, longs(c, values)), r -> r.getLong(1));
	}

	private interface Binder {
		void bind(Connection connection, PreparedStatement statement) throws SQLException;
	}

	private interface RowReader<T> {
		T read(ResultSet row) throws SQLException;
	}

	private <T> List<T> query(String sql, Binder binder, RowReader<T> reader) {
		return entityManager.unwrap(Session.class).doReturningWork(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				binder.bind(connection, statement);
				List<T> rows = new ArrayList<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						rows.add(reader.read(result));
					}
				}
				return rows;
			}
		});
	}

	/**
	 * The query run over the ids in chunks of {@link #CHUNK}, its rows together. H2 checks {@code col = ANY(?)} again
	 * on every row its index lookup gives, walking the array: one query over n ids costs about n² comparisons.
	 * Reading the links of 15,000 slots took 6.3 s in one query on a fresh JVM, 0.8 s in chunks of 256 (a start's
	 * preload reads every schedule's slots so). PostgreSQL does not mind either way.
	 */
	private static <T> List<T> inChunks(Collection<Long> ids, Function<List<Long>, List<T>> query) {
		List<Long> all = ids instanceof List<Long> list ? list : new ArrayList<>(ids);
		if (all.size() <= CHUNK) {
			return query.apply(all);
		}
		List<T> rows = new ArrayList<>();
		for (int from = 0; from < all.size(); from += CHUNK) {
			rows.addAll(query.apply(all.subList(from, Math.min(all.size(), from + CHUNK))));
		}
		return rows;
	}

	private static Array longs(Connection connection, Collection<Long> values) throws SQLException {
		return connection.createArrayOf("BIGINT", values.toArray(new Long[0]));
	}

	private static Array strings(Connection connection, Collection<String> values) throws SQLException {
		return connection.createArrayOf("VARCHAR", values.toArray(new String[0]));
	}
}
