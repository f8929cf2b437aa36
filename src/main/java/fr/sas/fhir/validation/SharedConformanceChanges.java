package fr.sas.fhir.validation;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import fr.sas.fhir.common.AfterCommit;
import fr.sas.fhir.common.ChangeCounters;
import jakarta.annotation.PostConstruct;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Conformance content written through any node reaches every node's validator: a write of a profile, value set,
 * code system or search parameter bumps the shared {@code conformance} counter in its transaction, and before
 * validating, a node that finds the counter moved since it last looked drops what it derived from the old
 * content — the verdict memo, HAPI's validation caches, the search-parameter registry. One indexed read per
 * validation; the drop happens once per change.
 */
@Component
public class SharedConformanceChanges {

	static final String COUNTER = "conformance";
	private static final Set<String> TYPES =
			Set.of("StructureDefinition", "ValueSet", "CodeSystem", "ConceptMap", "NamingSystem", "SearchParameter");

	private final IInterceptorService storageInterceptors;
	private final ChangeCounters counters;
	private final VerdictMemo memo;
	private final ObjectProvider<IValidationSupport> validationSupport;
	private final ObjectProvider<ISearchParamRegistry> searchParamRegistry;
	private final AtomicLong seen = new AtomicLong(-1);

	public SharedConformanceChanges(IInterceptorService storageInterceptors, ChangeCounters counters, VerdictMemo memo,
			ObjectProvider<IValidationSupport> validationSupport, ObjectProvider<ISearchParamRegistry> searchParamRegistry) {
		this.storageInterceptors = storageInterceptors;
		this.counters = counters;
		this.memo = memo;
		this.validationSupport = validationSupport;
		this.searchParamRegistry = searchParamRegistry;
	}

	@PostConstruct
	void listenToEveryWrite() {
		seen.set(counters.read(COUNTER));
		storageInterceptors.registerInterceptor(this);
	}

	/** Drops this node's derived conformance state if another node (or this one) changed the content since. */
	public void catchUp() {
		long current = counters.read(COUNTER);
		long before = seen.get();
		if (current == before) {
			return;
		}
		if (before >= 0) {
			memo.forgetAll();
			validationSupport.getObject().invalidateCaches();
			searchParamRegistry.getObject().forceRefresh();
		}
		seen.compareAndSet(before, current);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		changed(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource oldResource, IBaseResource newResource) {
		changed(newResource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		changed(resource);
	}

	/**
	 * This node forgets its verdicts now (a transaction may validate against content it has just written) and
	 * again once committed; every node, this one included, drops the rest at its next {@link #catchUp}.
	 */
	private void changed(IBaseResource resource) {
		if (TYPES.contains(resource.fhirType())) {
			memo.forgetAll();
			AfterCommit.run(memo::forgetAll);
			counters.bumpAtCommit(COUNTER);
		}
	}
}
