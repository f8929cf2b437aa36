package fr.sas.fhir.common;

import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A resource checked against one profile with the validation the server applies to its own writes (the installed
 * profiles and terminology, the same validator settings): for what arrives from elsewhere, such as a publisher's
 * answer to the aggregator or to a connected acceptance.
 */
public interface ProfileCheck {

	/** Every issue of the resource against {@code profile} (errors, warnings); none when it conforms. */
	List<OperationOutcome.OperationOutcomeIssueComponent> check(IBaseResource resource, String profile);

	static boolean hasErrors(List<OperationOutcome.OperationOutcomeIssueComponent> issues) {
		return issues.stream().anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
				|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL);
	}
}
