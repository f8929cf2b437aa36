package fr.sas.fhir.conformance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Resource;

/**
 * Breaks one constraint of FR Core's datatype profiles in a resource: each mutation returns false when the resource
 * has no element to break (no telecom, address or name at the top level).
 */
final class FrCoreMutations {

	private static final String FR = "http://interopsante.org/fhir/StructureDefinition/";

	static final Map<String, Predicate<Resource>> ALL = new LinkedHashMap<>();

	static {
		ALL.put("telecom without system", r -> first(r, "telecom", ContactPoint.class, t -> t.setSystem(null)));
		ALL.put("telecom without value", r -> first(r, "telecom", ContactPoint.class, t -> t.setValue(null)));
		ALL.put("two e-mail types on a telecom", r -> first(r, "telecom", ContactPoint.class, t -> {
			for (String code : List.of("MSSANTE", "AUTRE")) {
				t.addExtension(FR + "FrContactPointEmailType", new Coding("https://mos.esante.gouv.fr/NOS/TRE_R256", code, null));
			}
		}));
		ALL.put("two INSEE codes on an address", r -> first(r, "address", Address.class, a -> {
			for (String code : List.of("35238", "35047")) {
				a.addExtension(FR + "FrAddressInseeCode", new Coding("urn:oid:1.2.250.1.213.2.12", code, null));
			}
		}));
		ALL.put("two prefixes in a name", r -> first(r, "name", HumanName.class, n -> n.addPrefix("DR").addPrefix("PR")));
		ALL.put("two assembly orders in a name", r -> first(r, "name", HumanName.class, n -> {
			n.addExtension("http://hl7.org/fhir/StructureDefinition/humanname-assembly-order", new CodeType("NL1"));
			n.addExtension("http://hl7.org/fhir/StructureDefinition/humanname-assembly-order", new CodeType("NL2"));
		}));
	}

	private FrCoreMutations() {}

	private static <T extends Base> boolean first(Resource resource, String element, Class<T> type,
			java.util.function.Consumer<T> breakIt) {
		var property = resource.getNamedProperty(element);
		if (property == null || !property.hasValues() || !type.isInstance(property.getValues().get(0))) {
			return false;
		}
		breakIt.accept(type.cast(property.getValues().get(0)));
		return true;
	}
}
