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
 * The primitive elements of a resource whose value the validator checks only for its form, read from the snapshots
 * of the profiles the resource claims: top-level primitives, and the primitives of its top-level identifiers, names,
 * addresses, contact points and positions. For such an element the verdict cannot depend on which well-formed value
 * it holds: no fixed value, pattern, binding, length or range constrains it (in any slice), no slicing discriminates
 * on it, and no invariant that can reach it reads it. An invariant reaches a top-level element from the root element
 * of the resource or through {@code %resource}/{@code %rootResource}; a datatype's element also from that element and
 * from its datatype's (or datatype profile's) own definitions. Every name such an invariant mentions is excluded, and
 * one that walks the tree ({@code descendants()}, {@code children()}, {@code repeat()}) excludes all. The core
 * {@code dom-*} invariants only look at contained resources (which keep their ids and their references to them),
 * {@code ele-1} only at whether the element has a value, {@code ext-1} only at an extension's own value or
 * extensions, {@code ref-1} only at whether a reference starts with
 * {@code #} (a local one), which a masked reference never does, and {@code cpt-2} only at whether a contact point's
 * value is there. A top-level Reference is maskable when the profile constrains nothing inside it: its
 * {@code reference} keeps its resource type in the shape.
 */
final class MaskableElements {

	/** How the validator checks the value of a maskable element. */
	enum Form {
		ID,
		INSTANT,
		DATE_TIME,
		STRING,
		DECIMAL,
		REFERENCE
	}

	/**
	 * The maskable elements of one level of a resource: primitives ({@code leaves}, by name) and the complex elements
	 * whose primitives are maskable ({@code children}).
	 */
	record Mask(Map<String, Form> leaves, Map<String, Mask> children) {

		static final Mask NONE = new Mask(Map.of(), Map.of());

		boolean isEmpty() {
			return leaves.isEmpty() && children.isEmpty();
		}

		/** This mask without the resource's {@code id}: a contained resource's id is what its references name. */
		Mask withoutId() {
			Map<String, Form> rest = new HashMap<>(leaves);
			rest.remove("id");
			return new Mask(Map.copyOf(rest), children);
		}

		/** What both masks mask. */
		Mask intersect(Mask other) {
			Map<String, Form> bothLeaves = new HashMap<>(leaves);
			bothLeaves.entrySet().removeIf(e -> other.leaves.get(e.getKey()) != e.getValue());
			Map<String, Mask> bothChildren = new HashMap<>();
			children.forEach((name, mask) -> {
				Mask theirs = other.children.get(name);
				if (theirs != null) {
					Mask common = mask.intersect(theirs);
					if (!common.isEmpty()) {
						bothChildren.put(name, common);
					}
				}
			});
			return new Mask(Map.copyOf(bothLeaves), Map.copyOf(bothChildren));
		}
	}

	/** Datatypes whose primitive children may be masked, as the elements of a resource's top level. */
	private static final Set<String> MASKED_DATATYPES = Set.of("Identifier", "HumanName", "Address", "ContactPoint", "BackboneElement");
	private static final Set<String> VALUE_BLIND_INVARIANTS =
			Set.of("ele-1", "ext-1", "ref-1", "dom-2", "dom-3", "dom-4", "dom-5", "dom-6", "cpt-2");
	private static final Pattern WALKS_TREE = Pattern.compile("\\b(descendants|children|repeat)\\s*\\(");
	private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
	private static final String CORE = "http://hl7.org/fhir/StructureDefinition/";

	private MaskableElements() {}

	/** The elements maskable under every one of the given profiles ({@link Mask#NONE} when none). */
	static Mask of(List<StructureDefinition> profiles, Function<String, StructureDefinition> fetch) {
		Mask common = null;
		for (StructureDefinition profile : profiles) {
			Mask own = ofProfile(profile, fetch);
			common = common == null ? own : common.intersect(own);
		}
		return common == null ? Mask.NONE : common;
	}

	private static Mask ofProfile(StructureDefinition profile, Function<String, StructureDefinition> fetch) {
		if (!profile.hasSnapshot()) {
			return Mask.NONE;
		}
		String root = profile.getType();
		Set<String> readByInvariants = new HashSet<>();
		if (!collectNamesRead(profile, root, fetch, readByInvariants, new HashSet<>())) {
			return Mask.NONE;
		}
		Map<String, Form> leaves = new HashMap<>();
		Map<String, Mask> children = new HashMap<>();
		for (ElementDefinition element : profile.getSnapshot().getElement()) {
			String path = element.getPath();
			if (!path.startsWith(root + ".") || path.indexOf('.', root.length() + 1) >= 0 || element.hasSliceName()) {
				continue;
			}
			String name = path.substring(root.length() + 1);
			if (readByInvariants.contains(name)) {
				continue;
			}
			Form form = form(name, element);
			if (form == Form.REFERENCE && constrainsInside(profile, path)) {
				continue;
			}
			if (form != null && constrainsOnlyForm(element)) {
				leaves.put(name, form);
			} else if (form == null && element.getType().size() == 1
					&& MASKED_DATATYPES.contains(element.getType().get(0).getWorkingCode())) {
				Mask inside = inside(profile, element, readByInvariants, fetch);
				if (!inside.isEmpty()) {
					children.put(name, inside);
				}
			}
		}
		return new Mask(Map.copyOf(leaves), Map.copyOf(children));
	}

	/**
	 * The maskable primitives of a top-level complex element: its children as the profile defines them, else as its
	 * datatype (or datatype profile) does; none when an invariant of the element or of its datatype walks the tree.
	 */
	private static Mask inside(StructureDefinition profile, ElementDefinition element, Set<String> readAtTop,
			Function<String, StructureDefinition> fetch) {
		String path = element.getPath();
		Set<String> read = new HashSet<>(readAtTop);
		// Slices are told apart by their discriminators' paths: those elements keep their values.
		if (element.hasSlicing()) {
			element.getSlicing().getDiscriminator().forEach(d -> read.add(d.getPath().split("\\.")[0]));
		}
		Map<String, List<ElementDefinition>> byChild = new HashMap<>();
		for (ElementDefinition e : profile.getSnapshot().getElement()) {
			if (e.getPath().equals(path) && !collectNames(e, read)) {
				return Mask.NONE;
			}
			if (e.getPath().startsWith(path + ".") && e.getPath().indexOf('.', path.length() + 1) < 0) {
				byChild.computeIfAbsent(e.getPath().substring(path.length() + 1), k -> new java.util.ArrayList<>()).add(e);
			}
		}
		String type = element.getType().get(0).getWorkingCode();
		boolean unrolled = !byChild.isEmpty(); // the profile defines the children itself
		if (!type.equals("BackboneElement")) {
			String url = element.getType().get(0).hasProfile() ? element.getType().get(0).getProfile().get(0).getValue() : CORE + type;
			StructureDefinition datatype = fetch.apply(url);
			if (datatype == null || !datatype.hasSnapshot()) {
				return Mask.NONE;
			}
			// The datatype's invariants apply wherever it is used.
			for (ElementDefinition e : datatype.getSnapshot().getElement()) {
				if (!collectNames(e, read)) {
					return Mask.NONE;
				}
				String p = e.getPath();
				if (!unrolled && p.startsWith(type + ".") && p.indexOf('.', type.length() + 1) < 0) {
					byChild.computeIfAbsent(p.substring(type.length() + 1), k -> new java.util.ArrayList<>()).add(e);
				}
			}
		}
		Map<String, Form> leaves = new HashMap<>();
		for (Map.Entry<String, List<ElementDefinition>> child : byChild.entrySet()) {
			String name = child.getKey();
			if (read.contains(name) || name.equals("id") || name.equals("extension")) {
				continue;
			}
			List<ElementDefinition> definitions = child.getValue();
			ElementDefinition first = definitions.get(0);
			if (first.getType().size() != 1) {
				continue;
			}
			Form form = switch (first.getType().get(0).getWorkingCode()) {
				case "string" -> Form.STRING;
				case "decimal" -> Form.DECIMAL;
				default -> null;
			};
			if (form != null && definitions.stream().allMatch(MaskableElements::constrainsOnlyForm)) {
				leaves.put(name, form);
			}
		}
		return new Mask(Map.copyOf(leaves), Map.of());
	}

	/** Adds the names the element's own invariants read; false when one walks the tree. */
	private static boolean collectNames(ElementDefinition element, Set<String> names) {
		for (ElementDefinition.ElementDefinitionConstraintComponent invariant : element.getConstraint()) {
			String expression = invariant.getExpression();
			if (expression == null || VALUE_BLIND_INVARIANTS.contains(invariant.getKey())) {
				continue;
			}
			if (WALKS_TREE.matcher(expression).find()) {
				return false;
			}
			Matcher m = NAME.matcher(expression);
			while (m.find()) {
				names.add(m.group());
			}
		}
		return true;
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
