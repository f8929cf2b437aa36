package fr.sas.fhir.config;

import ca.uhn.fhir.jpa.dao.r4.TransactionProcessorVersionAdapterR4;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A batch entry refused keeps the OperationOutcome its refusal carried: HAPI's R4 adapter answers a failed entry
 * with a new outcome holding only the exception's message, so the element ({@code expression}) and the rule code
 * ({@code details}) a publisher reads on a write sent alone were lost inside a batch. The exception's own outcome
 * is used when it has issues; otherwise HAPI's.
 */
public class BatchEntryOutcomes extends TransactionProcessorVersionAdapterR4 {

	@Override
	public void populateEntryWithOperationOutcome(BaseServerResponseException caught, Bundle.BundleEntryComponent entry) {
		if (caught.getOperationOutcome() instanceof OperationOutcome outcome && outcome.hasIssue()) {
			entry.getResponse().setOutcome(outcome.copy());
		} else {
			super.populateEntryWithOperationOutcome(caught, entry);
		}
	}
}
