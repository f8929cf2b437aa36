package fr.sas.fhir.common;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * A check of every create and update at the storage layer (single writes, conditional updates, transaction
 * entries), before anything is stored. Subclasses say when they run with {@code @Interceptor(order = ...)}:
 * identity rules, then profile validation, then the business rules that assume a profile-valid resource.
 */
public abstract class WriteRule {

	/** Identity rules normalize values before the profiles check them. */
	public static final int IDENTITY = -10;
	/** Profile validation. */
	public static final int PROFILE = 0;
	/** Business rules, which assume a resource valid against its profile. */
	public static final int BUSINESS = 10;
	/** Effects of an accepted write (a slot booked by an appointment). */
	public static final int EFFECTS = 11;

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		check(null, resource, request);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		check(previous, resource, request);
	}

	/** {@code previous} is null on a create. Throws to refuse the write. */
	protected abstract void check(IBaseResource previous, IBaseResource resource, RequestDetails request);
}
