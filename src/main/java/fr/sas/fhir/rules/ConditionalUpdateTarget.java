package fr.sas.fhir.rules;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.springframework.stereotype.Component;

/**
 * In the guide's conditional updates ({@code PUT Appointment?identifier=}, {@code PUT Practitioner?identifier=}) the
 * search criteria designate the resource; the body may carry the sender's own id (the guide's {@code Appointment-2}
 * carries "2", {@code ExamplePractitionerRegul3} its example id), which must not contradict the match.
 */
@Component
@Interceptor
public class ConditionalUpdateTarget {

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void criteriaDesignateTheResource(RequestDetails request, RestOperationTypeEnum operation) {
		if (operation == RestOperationTypeEnum.UPDATE && request.getResource() != null
				&& request.getConditionalUrl(RestOperationTypeEnum.UPDATE) != null) {
			request.getResource().setId((String) null);
		}
	}
}
