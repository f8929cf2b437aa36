package fr.sas.fhir.common;

import java.util.List;

/**
 * The resource types this server stores: the guide's business types, the platform's own (publishers' endpoints)
 * and the conformance types.
 */
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

	/** The platform side's own types: the publishers' endpoints the aggregator calls, the monitoring's alerts. */
	public static final List<String> PLATFORM = List.of("Endpoint", "DetectedIssue");

	/** Types whose writes must claim one of the installed profiles for their type and are validated against it. */
	public static final List<String> GOVERNED =
			java.util.stream.Stream.concat(BUSINESS.stream(), PLATFORM.stream()).toList();

	public static final List<String> CONFORMANCE =
			List.of("StructureDefinition", "ValueSet", "CodeSystem", "SearchParameter", "CapabilityStatement", "OperationDefinition",
					// the programme's indicators (analytics), evaluated by $evaluate-measure
					"Measure");

	/** The files of a bulk export ($export), written by HAPI's export job and read by who asked for them (analytics). */
	public static final List<String> EXPORTS = List.of("Binary");

	public static final List<String> ALL = java.util.stream.Stream.of(GOVERNED, CONFORMANCE, EXPORTS)
			.flatMap(List::stream).toList();

	private ServedResourceTypes() {}
}
