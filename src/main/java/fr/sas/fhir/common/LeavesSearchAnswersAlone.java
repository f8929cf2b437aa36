package fr.sas.fhir.common;

import ca.uhn.fhir.rest.api.server.RequestDetails;

/**
 * Marks an interceptor whose outgoing-response or pre-show hooks never look at nor change a search answer (for
 * example, one that reports write warnings), or that decided on the request already whether its caller may see
 * every resource of the answer. The slot searches write their answer from already encoded resources only while
 * every such hook belongs to an interceptor marked so, and no interceptor asked for the answer of this request
 * ({@link #inspect}); any other case gets the answer as resources.
 */
public interface LeavesSearchAnswersAlone {

	String INSPECT = LeavesSearchAnswersAlone.class.getName() + ".inspect";

	/** Asks that this request's answer go through the hooks that look at resources (its caller's may be narrowed). */
	static void inspect(RequestDetails request) {
		request.getUserData().put(INSPECT, Boolean.TRUE);
	}

	static boolean inspected(RequestDetails request) {
		return Boolean.TRUE.equals(request.getUserData().get(INSPECT));
	}
}
