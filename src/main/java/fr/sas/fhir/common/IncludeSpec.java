package fr.sas.fhir.common;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code _include} of a slot search: {@code Source:param[:Target]}, iterating or not. As in FHIR, a plain
 * include follows the references of the matched resources, an iterating one also those of included resources.
 */
public record IncludeSpec(String sourceType, String param, String targetType, boolean iterate) {

	/** Every include of the request; empty when one is a wildcard or malformed (left to HAPI's generic search). */
	public static Optional<Set<IncludeSpec>> readAll(Map<String, String[]> parameters, String baseType) {
		Set<IncludeSpec> specs = new LinkedHashSet<>();
		for (String name : new String[] {"_include", "_include:iterate"}) {
			for (String value : parameters.getOrDefault(name, new String[0])) {
				String[] parts = value.trim().split(":");
				if (parts.length < 2 || parts.length > 3 || value.contains("*")) {
					return Optional.empty();
				}
				specs.add(new IncludeSpec(parts[0], parts[1], parts.length == 3 ? parts[2] : null, name.endsWith("iterate")));
			}
		}
		return Optional.of(specs);
	}
}
