package fr.sas.fhir.search;

import fr.sas.fhir.common.SlotSource;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.dao.ISearchBuilder;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.SasCodes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.stereotype.Component;

/**
 * The resources the slot searches return, as HAPI's JSON encoder writes them, kept by resource id and version.
 * A search reads each resource's current version from the index in the same transaction, so an entry is used
 * only while it is the stored version; a miss is loaded by HAPI's batch loader and encoded once. Bounded by
 * {@code sas.search.cache-size} (bytes of JSON); {@code 0} turns it off.
 */
@Component
class EncodedResources {

	/**
	 * One stored resource version: its JSON, its {@code meta.lastUpdated} (epoch milliseconds, -1 if none), the two
	 * facts the search rules need of a slot, and what the contextual search's filters read of it (its schedule's id,
	 * its facets; null for other resources).
	 */
	record Encoded(String type, String id, long version, long updated, byte[] json, boolean cpts, Instant end,
			String scheduleId, SlotSource.SlotFacets facets, Instant start, boolean free) {}

	/** A resource to fetch: its id in the store and its current version. */
	record Key(long pid, String type, String id, long version) {

		/** "Type/id", as references are written. */
		String reference() {
			return type + "/" + id;
		}
	}

	private final FhirContext fhirContext;
	private final SearchBuilderFactory<JpaPid> searchBuilders;
	private final Cache<Long, Encoded> cache;

	EncodedResources(FhirContext fhirContext, SearchBuilderFactory<JpaPid> searchBuilders, SasProperties properties) {
		this.fhirContext = fhirContext;
		this.searchBuilders = searchBuilders;
		long bytes = properties.getSearch().getCacheSize().toBytes();
		this.cache = Caffeine.newBuilder()
				.maximumWeight(Math.max(0, bytes))
				.weigher((Long pid, Encoded e) -> e.json().length + (e.facets() == null ? 128 : 512))
				.build();
	}

	/** Whether this version of the resource is kept (tests). */
	boolean holds(long pid, long version) {
		Encoded kept = cache.getIfPresent(pid);
		return kept != null && kept.version() == version;
	}

	/** Within a tenth of its bound (or off): what is read now would push out what is kept. */
	boolean isFull() {
		return cache.policy().eviction()
				.map(eviction -> eviction.weightedSize().orElse(0L) >= eviction.getMaximum() / 10 * 9)
				.orElse(false);
	}

	/** The kept entries by resource id, a live view (the snapshot written at shutdown walks it). */
	Map<Long, Encoded> kept() {
		return Collections.unmodifiableMap(cache.asMap());
	}

	/**
	 * An entry read back from a snapshot, checked by the caller against the stored version: used, as any other,
	 * only while the index names that version.
	 */
	void restore(long pid, Encoded encoded) {
		cache.put(pid, encoded);
	}

	/** The current version of each resource; misses are loaded together. Callers run in a read transaction. */
	Map<Long, Encoded> get(Collection<Key> keys, RequestDetails request) {
		Map<Long, Encoded> found = new HashMap<>();
		List<Key> missing = new ArrayList<>();
		for (Key key : keys) {
			Encoded cached = cache.getIfPresent(key.pid());
			if (cached != null && cached.version() == key.version() && cached.id().equals(key.id())) {
				found.put(key.pid(), cached);
			} else {
				missing.add(key);
			}
		}
		if (!missing.isEmpty()) {
			Map<String, Key> byReference = new HashMap<>();
			List<JpaPid> pids = new ArrayList<>(missing.size());
			for (Key key : missing) {
				byReference.put(key.type() + "/" + key.id(), key);
				pids.add(JpaPid.fromId(key.pid()));
			}
			ISearchBuilder<JpaPid> loader = searchBuilders.newSearchBuilder("Slot", Slot.class);
			List<IBaseResource> loaded = new ArrayList<>(pids.size());
			loader.loadResourcesByPid(pids, List.of(), loaded, false, request);
			for (IBaseResource resource : loaded) {
				Key key = byReference.get(fhirContext.getResourceType(resource) + "/" + resource.getIdElement().getIdPart());
				if (key == null) {
					continue;
				}
				Encoded encoded = encode(key, resource);
				// Only the version the index named is cached: a newer one committed meanwhile is read next time.
				if (encoded.version() == key.version()) {
					cache.put(key.pid(), encoded);
				}
				found.put(key.pid(), encoded);
			}
		}
		return found;
	}

	private Encoded encode(Key key, IBaseResource resource) {
		byte[] json = fhirContext.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
		Long version = resource.getIdElement().getVersionIdPartAsLong();
		Date lastUpdated = resource.getMeta().getLastUpdated();
		boolean cpts = false;
		Instant end = null;
		String schedule = null;
		SlotSource.SlotFacets facets = null;
		Instant start = null;
		boolean free = false;
		if (resource instanceof Slot slot) {
			start = slot.getStart() == null ? null : slot.getStart().toInstant();
			free = slot.getStatus() == Slot.SlotStatus.FREE;
			cpts = SasCodes.isCpts(slot);
			end = slot.getEnd() == null ? null : slot.getEnd().toInstant();
			schedule = slot.getSchedule().getReferenceElement().getIdPart();
			facets = SlotSource.SlotFacets.of(slot);
		}
		return new Encoded(key.type(), key.id(), version == null ? key.version() : version,
				lastUpdated == null ? -1 : lastUpdated.getTime(), json, cpts, end, schedule, facets, start, free);
	}

	/** The resource again, for answers HAPI's serializer writes (XML, pretty print, outgoing-response hooks). */
	IBaseResource parse(Encoded encoded) {
		return parse(encoded.json());
	}

	IBaseResource parse(byte[] json) {
		return fhirContext.newJsonParser().parseResource(new String(json, StandardCharsets.UTF_8));
	}
}
