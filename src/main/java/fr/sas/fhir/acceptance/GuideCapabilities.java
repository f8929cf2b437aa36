package fr.sas.fhir.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import fr.sas.fhir.publishers.UseCase;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * What a publisher's CapabilityStatement must declare for each use case, read from the guide's
 * {@code SAS-GestionnaireAgenda-PsIndiv}, {@code -CPTS} and {@code -SOS} statements: the resource types searched,
 * the includes and reverse includes, and the search parameters the guide's requests use (by their code: the
 * statements name them by their SearchParameter, a server by the code it answers to).
 */
final class GuideCapabilities {

	record Expected(String statement, String type, List<String> includes, List<String> revIncludes, List<String> parameters) {
		String describe() {
			return statement + ": " + type + " with search-type" + (includes.isEmpty() ? "" : ", searchInclude " + includes)
					+ (revIncludes.isEmpty() ? "" : ", searchRevInclude " + revIncludes)
					+ (parameters.isEmpty() ? "" : ", searchParam " + parameters);
		}
	}

	private static final String PS = "SAS-GestionnaireAgenda-PsIndiv";
	private static final String CPTS = "SAS-GestionnaireAgenda-CPTS";
	private static final String SOS = "SAS-GestionnaireAgenda-SOS";

	private GuideCapabilities() {}

	static List<Expected> of(UseCase useCase) {
		return switch (useCase) {
			case INDIVIDUAL -> List.of(
					new Expected(PS, "Slot", List.of("Slot:schedule", "Schedule:actor"), List.of(), List.of("start", "schedule", "status")),
					new Expected(PS, "Schedule", List.of(), List.of(), List.of("actor")),
					new Expected(PS, "Practitioner", List.of(), List.of(), List.of("identifier")));
			case CPTS -> List.of(
					new Expected(CPTS, "Slot", List.of("Slot:schedule", "Schedule:actor", "Slot:service-type-reference",
							"HealthcareService:organization"), List.of(), List.of("start", "schedule", "status")),
					new Expected(CPTS, "Schedule", List.of(), List.of(), List.of("actor")),
					new Expected(CPTS, "Practitioner", List.of(), List.of(), List.of("identifier")));
			case SOS -> List.of(
					new Expected(SOS, "Schedule", List.of("Schedule:actor:Location", "Location:organization"), List.of("Slot:schedule"),
							List.of("actor")),
					new Expected(SOS, "Slot", List.of(), List.of(), List.of("start")),
					new Expected(SOS, "Location", List.of(), List.of(), List.of("organization")),
					new Expected(SOS, "Organization", List.of(), List.of(), List.of("identifier")));
		};
	}

	/** What the statement lacks of the expectation, null when nothing. */
	static String missing(CapabilityStatement statement, Expected expected) {
		CapabilityStatement.CapabilityStatementRestResourceComponent resource = statement.getRest().stream()
				.filter(r -> r.getMode() == null || r.getMode() == CapabilityStatement.RestfulCapabilityMode.SERVER)
				.flatMap(r -> r.getResource().stream()).filter(r -> expected.type().equals(r.getType())).findFirst().orElse(null);
		if (resource == null) {
			return expected.type() + " is not declared";
		}
		List<String> lacks = new ArrayList<>();
		if (resource.getInteraction().stream().noneMatch(i -> i.getCode() == CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE)) {
			lacks.add("the search-type interaction");
		}
		List<String> includes = resource.getSearchInclude().stream().map(s -> s.getValue()).toList();
		for (String include : expected.includes()) {
			if (!declares(includes, include)) {
				lacks.add("searchInclude " + include);
			}
		}
		List<String> revIncludes = resource.getSearchRevInclude().stream().map(s -> s.getValue()).toList();
		for (String include : expected.revIncludes()) {
			if (!declares(revIncludes, include)) {
				lacks.add("searchRevInclude " + include);
			}
		}
		List<String> parameters = resource.getSearchParam().stream().map(p -> p.getName()).toList();
		for (String parameter : expected.parameters()) {
			if (!parameters.contains(parameter)) {
				lacks.add("searchParam " + parameter);
			}
		}
		return lacks.isEmpty() ? null : expected.type() + " lacks " + String.join(", ", lacks);
	}

	/** {@code *} declares every include; {@code Schedule:actor} declares {@code Schedule:actor:Location}. */
	private static boolean declares(List<String> declared, String include) {
		return declared.contains("*") || declared.contains(include)
				|| declared.stream().anyMatch(d -> include.startsWith(d + ":"));
	}

	/** The statement's JSON for a type, for a report. */
	static String declared(JsonNode statement, String type) {
		for (JsonNode rest : statement.path("rest")) {
			for (JsonNode resource : rest.path("resource")) {
				if (type.equals(resource.path("type").asText())) {
					return resource.toPrettyString();
				}
			}
		}
		return "(no " + type + " in rest.resource)";
	}
}
