package fr.sas.fhir.rules;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import fr.sas.fhir.common.RuleViolations;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * A {@code POST} of a resource that its business identifiers identify (an appointment INT_R03, a regulator account
 * INT_R02), so there are never two of them: under the identifiers' locks, held until the request completes, a
 * new resource is created by a conditional create on its identifiers (HAPI keeps that unique even across
 * nodes); the same identifiers with other content get 409 naming the conditional update that changes it. An
 * identical retry gets the stored resource back (200) where the flow is idempotent (appointments), and 409 too
 * where a second creation is an error (regulator accounts: the ANS test kit refuses it).
 */
final class IdentifiedCreate {

	/** What a POST identical to the stored resource gets. */
	enum IdenticalRetry {
		/** The stored resource (200): the POST is idempotent. */
		ANSWERED,
		/** 409, as any other POST of identifiers already held. */
		REFUSED
	}

	private final FhirContext fhirContext;
	private final RequestLocks locks;
	private final IdenticalRetry identicalRetry;

	IdentifiedCreate(FhirContext fhirContext, RequestLocks locks, IdenticalRetry identicalRetry) {
		this.fhirContext = fhirContext;
		this.locks = locks;
		this.identicalRetry = identicalRetry;
	}

	/**
	 * @param keys the identifiers ({@code system|value}) the request locks
	 * @param stored the stored resources holding them, read once the locks are held
	 * @param matchUrl the conditional create's criteria ({@code Type?identifier=...})
	 * @param update the conditional update to name in a 409
	 */
	void identify(RequestDetails request, IBaseResource sent, Collection<String> keys, Supplier<List<? extends IBaseResource>> stored,
			String matchUrl, String expression, String rule, String update) throws InterruptedException {
		String type = fhirContext.getResourceType(sent);
		locks.lockAll(request, keys, type + " " + String.join(", ", keys), expression);
		List<? extends IBaseResource> existing = stored.get();
		boolean answered = identicalRetry == IdenticalRetry.ANSWERED && existing.size() == 1
				&& sameContent(existing.get(0), sent);
		if (!existing.isEmpty() && !answered) {
			locks.release(request);
			String ids = existing.stream().map(r -> r.getIdElement().toUnqualifiedVersionless().getValue())
					.reduce((a, b) -> a + ", " + b).orElse("");
			OperationOutcome outcome = RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
					OperationOutcome.IssueType.CONFLICT, expression, rule, "a " + type + " with identifier "
							+ String.join(" or ", keys) + " exists (" + ids + "); to change it, send " + update));
			throw new ResourceVersionConflictException(type + " " + String.join(", ", keys) + " exists", outcome);
		}
		// New, or an identical retry answered: the conditional create creates it or returns the stored one.
		request.setFixedConditionalUrl(matchUrl);
	}

	void release(RequestDetails request) {
		locks.release(request);
	}

	/** Same content, whatever the ids, metadata (but the profiles) and narrative. */
	boolean sameContent(IBaseResource stored, IBaseResource sent) {
		return content((Resource) stored).equals(content((Resource) sent));
	}

	private String content(Resource resource) {
		Resource copy = resource.copy();
		copy.setIdElement(null);
		copy.setMeta(null);
		if (copy instanceof org.hl7.fhir.r4.model.DomainResource domain) {
			domain.setText(null);
		}
		copy.getMeta().setProfile(resource.getMeta().getProfile());
		return fhirContext.newJsonParser().encodeResourceToString(copy);
	}
}
