package fr.sas.fhir.rules;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Finds the resource a reference points to, as a rule needs it: in the transaction being processed (entries are
 * not stored yet when a rule looks) or else in the store.
 */
@Component
@Interceptor
public class ReferencedResources {

	private static final String TRANSACTION = ReferencedResources.class.getName() + ".transaction";

	private final DaoRegistry daoRegistry;

	public ReferencedResources(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	/** Keeps the transaction being processed at hand for the rules that look up its entries. */
	@Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
	public void rememberTransaction(RequestDetails request, IBaseBundle bundle) {
		if (request != null) {
			request.getUserData().put(TRANSACTION, bundle);
		}
	}

	public Optional<Resource> find(Reference reference, RequestDetails request) {
		if (reference == null || !reference.hasReference() || reference.getReference().startsWith("#")) {
			return Optional.empty();
		}
		IdType id = new IdType(reference.getReference());
		if (!id.hasResourceType() || !id.hasIdPart()) {
			return Optional.empty();
		}
		if (request != null && request.getUserData().get(TRANSACTION) instanceof Bundle bundle) {
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				Resource candidate = entry.getResource();
				if (candidate != null && candidate.fhirType().equals(id.getResourceType())
						&& (id.getIdPart().equals(candidate.getIdElement().getIdPart())
								|| reference.getReference().equals(entry.getFullUrl()))) {
					return Optional.of(candidate);
				}
			}
		}
		try {
			IBaseResource stored = daoRegistry.getResourceDao(id.getResourceType())
					.read(id.toUnqualifiedVersionless(), new SystemRequestDetails());
			return Optional.of((Resource) stored);
		} catch (BaseServerResponseException notFoundOrGone) {
			return Optional.empty();
		}
	}
}
