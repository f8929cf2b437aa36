package fr.sas.fhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import fr.sas.fhir.common.RuleViolations;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.stereotype.Component;

/**
 * Limits on what one request may ask of the server beyond its body size (the HTTP layer's): at most
 * {@code sas.security.max-transaction-entries} entries in a transaction or batch (413, nothing written). JSON
 * nesting is bounded by the parser (Jackson refuses more than 1,000 levels: 400) and by the body size.
 */
@Component
@Interceptor(order = -200)
public class RequestLimits {

	static final String RULE = "SAS-request-limit";
	private final int maxEntries;

	public RequestLimits(SecurityProperties properties) {
		this.maxEntries = properties.getMaxTransactionEntries();
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void transactionSize(RequestDetails request, RestOperationTypeEnum operation) {
		if ((operation == RestOperationTypeEnum.TRANSACTION || operation == RestOperationTypeEnum.BATCH)
				&& request.getResource() instanceof Bundle bundle && bundle.getEntry().size() > maxEntries) {
			PayloadTooLargeException refused = new PayloadTooLargeException("SAS-request-limit: " + bundle.getEntry().size()
					+ " entries in one " + operation.getCode() + "; at most " + maxEntries + " (sas.security.max-transaction-entries)");
			refused.setOperationOutcome(RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
					OperationOutcome.IssueType.TOOLONG, "Bundle.entry", RULE, bundle.getEntry().size() + " entries in one "
							+ operation.getCode() + "; at most " + maxEntries + " (sas.security.max-transaction-entries)")));
			throw refused;
		}
	}
}
