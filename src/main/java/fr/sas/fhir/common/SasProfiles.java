package fr.sas.fhir.common;

import fr.sas.fhir.common.ServedResourceTypes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.springframework.stereotype.Component;

/**
 * The profiles a resource of each governed type may claim in {@code meta.profile}: every resource profile the
 * conformance loader installed for that type (the project's, or the official package's when an operator loads it).
 */
@Component
public class SasProfiles {

	private final Map<String, Set<String>> byType = new ConcurrentHashMap<>();

	/** Called by the conformance loader with everything it installed. */
	public void register(List<IBaseResource> installed) {
		Map<String, Set<String>> next = new TreeMap<>();
		for (IBaseResource resource : installed) {
			if (resource instanceof StructureDefinition sd
					&& sd.getKind() == StructureDefinition.StructureDefinitionKind.RESOURCE
					&& sd.getDerivation() == StructureDefinition.TypeDerivationRule.CONSTRAINT
					&& ServedResourceTypes.GOVERNED.contains(sd.getType())) {
				next.computeIfAbsent(sd.getType(), t -> new TreeSet<>()).add(sd.getUrl());
			}
		}
		byType.clear();
		byType.putAll(next);
	}

	public Set<String> forType(String resourceType) {
		return byType.getOrDefault(resourceType, Set.of());
	}

	public boolean isGoverned(String resourceType) {
		return ServedResourceTypes.GOVERNED.contains(resourceType);
	}
}
