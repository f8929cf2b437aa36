package fr.sas.fhir.security;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.util.UrlUtil;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.WriteRule;
import fr.sas.fhir.common.SasProfiles;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Each publisher writes only its own resources (several publishers expose the same practitioner, with the same
 * RPPS). A publisher's write is tagged with its code ({@link #OWNER_SYSTEM}); its conditional writes
 * ({@code PUT Practitioner?identifier=...}, {@code If-None-Exist}, conditional entries of a transaction) only
 * match resources carrying its tag, so they never land on another publisher's card; and a write or delete by id
 * of a resource another publisher owns is refused (403). Requests that name no publisher (the SAS platform's
 * flows: appointments, regulator accounts) are not scoped.
 */
@Component
@Interceptor(order = WriteRule.BUSINESS)
public class PublisherOwnershipInterceptor extends WriteRule {

	public static final String OWNER_SYSTEM = "https://sas-fhir-server.example/publisher";
	static final String RULE = "SAS-publisher-ownership";

	private final FhirContext fhirContext;
	private final PublisherIdentity identity;
	private final SasProfiles profiles;

	public PublisherOwnershipInterceptor(FhirContext fhirContext, PublisherIdentity identity, SasProfiles profiles) {
		this.fhirContext = fhirContext;
		this.identity = identity;
		this.profiles = profiles;
	}

	/**
	 * A publisher's conditional write matches among its own resources only. Runs once HAPI knows the operation and
	 * before it reads the conditional URL, after {@code rules.PractitionerAccountsInterceptor} (lower order) fixed it.
	 */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void scopeConditionalWrites(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation == RestOperationTypeEnum.CREATE || operation == RestOperationTypeEnum.UPDATE
				|| operation == RestOperationTypeEnum.DELETE || operation == RestOperationTypeEnum.PATCH) {
			String url = request.getConditionalUrl(operation);
			if (url != null) {
				identity.of(request).ifPresent(p -> request.setFixedConditionalUrl(scoped(url, p)));
			}
		}
	}

	/** The same for the conditional entries of a transaction, once its Bundle is parsed. */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void scopeConditionalEntries(RequestDetails request, RestOperationTypeEnum operation) {
		if ((operation != RestOperationTypeEnum.TRANSACTION && operation != RestOperationTypeEnum.BATCH)
				|| !(request.getResource() instanceof Bundle bundle)) {
			return;
		}
		Optional<String> publisher = identity.of(request);
		if (publisher.isEmpty()) {
			return;
		}
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Bundle.BundleEntryRequestComponent call = entry.getRequest();
			if (call.hasUrl() && call.getUrl().contains("?") && call.getMethod() != Bundle.HTTPVerb.GET) {
				call.setUrl(scoped(call.getUrl(), publisher.get()));
			}
			if (call.hasIfNoneExist()) {
				call.setIfNoneExist(scoped(call.getIfNoneExist(), publisher.get()));
			}
		}
	}

	private static String scoped(String url, String publisher) {
		return url + (url.contains("?") ? "&" : "?") + "_tag=" + UrlUtil.escapeUrlParam(OWNER_SYSTEM + "|" + publisher);
	}

	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		Optional<String> publisher = request == null ? Optional.empty() : identity.of(request);
		if (publisher.isEmpty() || !profiles.isGoverned(fhirContext.getResourceType(resource))) {
			return;
		}
		if (previous != null) {
			refuseIfOwnedByAnother(previous, publisher.get());
		}
		Resource written = (Resource) resource;
		written.getMeta().getTag().removeIf(tag -> OWNER_SYSTEM.equals(tag.getSystem()));
		written.getMeta().addTag(new Coding(OWNER_SYSTEM, publisher.get(), null));
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
	public void deleted(IBaseResource resource, RequestDetails request) {
		Optional<String> publisher = request == null ? Optional.empty() : identity.of(request);
		publisher.ifPresent(p -> refuseIfOwnedByAnother(resource, p));
	}

	private void refuseIfOwnedByAnother(IBaseResource stored, String publisher) {
		Optional<String> owner = ((Resource) stored).getMeta().getTag().stream()
				.filter(tag -> OWNER_SYSTEM.equals(tag.getSystem()))
				.map(Coding::getCode)
				.findFirst();
		if (owner.isPresent() && !owner.get().equals(publisher)) {
			String type = fhirContext.getResourceType(stored);
			OperationOutcome outcome = new OperationOutcome();
			outcome.addIssue(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR, type, RULE,
					type + "/" + stored.getIdElement().getIdPart() + " belongs to another publisher: a publisher "
							+ "writes only its own resources"));
			outcome.getIssueFirstRep().setCode(OperationOutcome.IssueType.FORBIDDEN);
			throw new ForbiddenOperationException("publisher ownership", outcome);
		}
	}
}
