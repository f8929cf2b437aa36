package fr.sas.fhir.publishers;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import fr.sas.fhir.common.ChangeCounters;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Endpoint;

/**
 * The publishers' endpoints (the {@code Endpoint} resources of the store), as every node sees them now: a write of an
 * Endpoint bumps the shared {@code publishers} counter in its transaction, and each use compares the counter with the
 * one its copy was read at, so a suspension ({@code status = suspended}) stops the calls of every node from their
 * next search on, and {@code active} resumes them.
 */
public class PublisherRegistry {

	static final String COUNTER = "publishers";

	private final DaoRegistry daos;
	private final ChangeCounters counters;
	private final PublishersProperties properties;
	private final Clock clock;
	private volatile Snapshot snapshot;

	private record Snapshot(long counter, List<PublisherEndpoint> endpoints) {}

	public PublisherRegistry(DaoRegistry daos, ChangeCounters counters, PublishersProperties properties, Clock clock) {
		this.daos = daos;
		this.counters = counters;
		this.properties = properties;
		this.clock = clock;
	}

	/** Every endpoint of the registry, by id. */
	public List<PublisherEndpoint> all() {
		return current().endpoints();
	}

	/** The endpoints calls go to now for that use case: active, within their period. */
	public List<PublisherEndpoint> callable(UseCase useCase) {
		var now = clock.instant();
		return current().endpoints().stream().filter(e -> e.useCases().contains(useCase) && e.callable(now)).toList();
	}

	public Optional<PublisherEndpoint> byId(String id) {
		return current().endpoints().stream().filter(e -> e.id().equals(id)).findFirst();
	}

	private Snapshot current() {
		long counter = counters.read(COUNTER);
		Snapshot seen = snapshot;
		if (seen != null && seen.counter() == counter) {
			return seen;
		}
		List<PublisherEndpoint> endpoints = new ArrayList<>();
		for (IBaseResource resource : daos.getResourceDao("Endpoint")
				.search(SearchParameterMap.newSynchronous(), new SystemRequestDetails()).getAllResources()) {
			endpoints.add(PublisherEndpoint.of((Endpoint) resource, properties.getDefaultTimeBudget()));
		}
		endpoints.sort(Comparator.comparing(PublisherEndpoint::id));
		Snapshot read = new Snapshot(counter, List.copyOf(endpoints));
		snapshot = read;
		return read;
	}

	/** Storage-wide (single writes, transactions, deletes): every node re-reads the registry after this commit. */
	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		changed(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		changed(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		changed(resource);
	}

	private void changed(IBaseResource resource) {
		if (resource instanceof Endpoint) {
			counters.bumpAtCommit(COUNTER);
		}
	}
}
