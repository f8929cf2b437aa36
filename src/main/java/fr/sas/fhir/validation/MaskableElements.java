package fr.sas.fhir.validation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r5.model.CanonicalType;
import org.hl7.fhir.r5.model.ElementDefinition;
import org.hl7.fhir.r5.model.StructureDefinition;

/**
 * The top-level primitive elements of a resource whose value the validator checks only for its form, read from
 * the snapshots of the profiles the resource claims. For such an element the verdict cannot depend on which
 * well-formed value it holds: no fixed value, pattern, binding, length or range constrains it, it is not sliced,
 * and no invariant reads it. An invariant can read a top-level element only from the root element of the
 * resource, or through {@code %resource}/{@code %rootResource}; every name such an invariant mentions is excluded,
 * and one that walks the whole tree ({@code descendants()}, {@code children()}, {@code repeat()}) excludes all.
 * The core {@code dom-*} invariants only look at contained resources, which a memoised resource never has,
 * {@code ele-1} only at whether the element has a value, and {@code ref-1} only at whether a reference starts
 * with {@code #} (a local one), which a masked reference never does. A top-level Reference is maskable when the
 * profile constrains nothing inside it: its {@code reference} keeps its resource type in the shape.
 */
final class MaskableElements {

	/** How the validator checks the value of a maskable element. */
	enum Form {
		ID,
		INSTANT,
		DATE_TIME,
		STRING,
		REFERENCE
	}

	private static final Set<String> VALUE_BLIND_INVARIANTS = Set.of("ele-1", "ref-1", "dom-2", "dom-3", "dom-4", "dom-5", "dom-6");
	private static final Pattern WALKS_TREE = Pattern.compile("\\b(descendants|children|repeat)\\s*\\(");
	private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

	private MaskableElements() {}

	/** Maskable element names and their form, common to all the given profiles (empty when none). */
	static Map<String, Form> of(List<StructureDefinition> profiles, Function<String, StructureDefinition> fetch) {
		Map<String, Form> common = null;
		for (StructureDefinition profile : profiles) {
			Map<String, Form> own = ofProfile(profile, fetch);
			if (common == null) {
				common = new HashMap<>(own);
			} else {
				common.keySet().retainAll(own.keySet());
			}
		}
		return common == null ? Map.of() : Map.copyOf(common);
	}

	private static Map<String, Form> ofProfile(StructureDefinition profile, Function<String, StructureDefinition> fetch) {
		if (!profile.hasSnapshot()) {
			return Map.of();
		}
		String root = profile.getType();
		Set<String> readByInvariants = new HashSet<>();
		if (!collectNamesRead(profile, root, fetch, readByInvariants, new HashSet<>())) {
			return Map.of();
		}
		Map<String, Form> maskable = new HashMap<>();
		for (ElementDefinition element : profile.getSnapshot().getElement()) {
			String path = element.getPath();
			if (!path.startsWith(root + ".") || path.indexOf('.', root.length() + 1) >= 0) {
				continue;
			}
			String name = path.substring(root.length() + 1);
			Form form = form(name, element);
			if (form == Form.REFERENCE && constrainsInside(profile, path)) {
				continue;
			}
			if (form != null && !readByInvariants.contains(name) && constrainsOnlyForm(element)) {
				maskable.put(name, form);
			}
		}
		return maskable;
	}

	private static Form form(String name, ElementDefinition element) {
		if (element.getType().size() != 1 || element.hasSliceName()) {
			return null;
		}
		if (name.equals("id")) {
			return Form.ID;
		}
		return switch (element.getType().get(0).getCode()) {
			case "instant" -> Form.INSTANT;
			case "dateTime" -> Form.DATE_TIME;
			case "string" -> Form.STRING;
			case "Reference" -> Form.REFERENCE;
			default -> null;
		};
	}

	/** Whether the profile says anything about the children of that element. */
	private static boolean constrainsInside(StructureDefinition profile, String path) {
		return profile.getSnapshot().getElement().stream().anyMatch(e -> e.getPath().startsWith(path + "."));
	}

	private static boolean constrainsOnlyForm(ElementDefinition element) {
		return !element.hasFixed()
				&& !element.hasPattern()
				&& !element.hasBinding()
				&& !element.hasMaxLength()
				&& !element.hasMinValue()
				&& !element.hasMaxValue()
				&& !element.hasSlicing()
				&& element.getConstraint().stream().allMatch(c -> VALUE_BLIND_INVARIANTS.contains(c.getKey()));
	}

	/**
	 * Adds to {@code names} every name an invariant able to reach the resource's top level mentions, in the
	 * profile and in the extensions it uses; false when one of them walks the whole tree.
	 */
	private static boolean collectNamesRead(
			StructureDefinition definition,
			String root,
			Function<String, StructureDefinition> fetch,
			Set<String> names,
			Set<String> visited) {
		if (!visited.add(definition.getUrl()) || !definition.hasSnapshot()) {
			return true;
		}
		for (ElementDefinition element : definition.getSnapshot().getElement()) {
			for (ElementDefinition.ElementDefinitionConstraintComponent invariant : element.getConstraint()) {
				String expression = invariant.getExpression();
				if (expression == null || VALUE_BLIND_INVARIANTS.contains(invariant.getKey())) {
					continue;
				}
				boolean reachesTop = element.getPath().equals(root)
						|| expression.contains("%resource")
						|| expression.contains("%rootResource");
				if (reachesTop) {
					if (WALKS_TREE.matcher(expression).find()) {
						return false;
					}
					Matcher m = NAME.matcher(expression);
					while (m.find()) {
						names.add(m.group());
					}
				}
			}
			for (ElementDefinition.TypeRefComponent type : element.getType()) {
				for (CanonicalType extensionProfile : type.getProfile()) {
					// A definition the context cannot give may hold any invariant.
					StructureDefinition used = fetch.apply(extensionProfile.getValue());
					if (used == null || !collectNamesRead(used, root, fetch, names, visited)) {
						return false;
					}
				}
			}
		}
		return true;
	}
}
