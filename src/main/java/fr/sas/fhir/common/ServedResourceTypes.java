package fr.sas.fhir.common;

import java.util.List;

/** The resource types this server stores: the guide's business types plus the conformance types. */
public final class ServedResourceTypes {

	public static final List<String> BUSINESS = List.of(
			"Slot",
			"Schedule",
			"Practitioner",
			"PractitionerRole",
			"Location",
			"Organization",
			"HealthcareService",
			"Appointment");

	public static final List<String> CONFORMANCE =
			List.of("StructureDefinition", "ValueSet", "CodeSystem", "SearchParameter", "CapabilityStatement", "OperationDefinition");

	public static final List<String> ALL =
			java.util.stream.Stream.concat(BUSINESS.stream(), CONFORMANCE.stream()).toList();

	private ServedResourceTypes() {}
}
