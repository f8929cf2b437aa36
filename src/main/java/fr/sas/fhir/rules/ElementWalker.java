package fr.sas.fhir.rules;

import java.util.function.BiConsumer;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Resource;

/** Visits every element of a resource, contained resources included, with its FHIRPath-like location. */
final class ElementWalker {

	private ElementWalker() {}

	static <T extends Base> void forEach(Resource resource, Class<T> type, BiConsumer<String, T> visitor) {
		walk(resource, resource.fhirType(), type, visitor);
	}

	private static <T extends Base> void walk(Base element, String path, Class<T> type, BiConsumer<String, T> visitor) {
		if (type.isInstance(element)) {
			visitor.accept(path, type.cast(element));
		}
		for (Property property : element.children()) {
			if (!property.hasValues()) {
				continue;
			}
			int index = 0;
			for (Base child : property.getValues()) {
				String childPath = property.getMaxCardinality() > 1 || property.getValues().size() > 1
						? path + "." + property.getName() + "[" + index + "]"
						: path + "." + property.getName();
				walk(child, childPath, type, visitor);
				index++;
			}
		}
	}
}
