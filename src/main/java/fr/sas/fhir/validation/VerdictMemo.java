package fr.sas.fhir.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import fr.sas.fhir.common.SasProperties;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.springframework.stereotype.Component;

/**
 * Remembers the validator's verdicts so that a publisher's thousand slots of one agenda, or a directory's
 * practitioners and roles, are validated once. The key is the resource's JSON (its contained resources included)
 * with the values of its {@link MaskableElements maskable} elements replaced by their {@link PlainValues shape},
 * plus the profiles it is validated against: two resources with the same key differ only in well-formed ids,
 * instants, decimals and free text that no constraint of those profiles reads, so the validator gives both the
 * same verdict. A verdict is remembered only if none of its messages quotes a masked value, and
 * any value that is not plain stays in the key as it is. Every change to the conformance content (a profile,
 * value set or code system written, on any node) forgets everything: {@link SharedConformanceChanges}.
 */
@Component
public class VerdictMemo {

	private final ObjectMapper mapper = new ObjectMapper();
	private final Cache<String, List<ValidationMessage>> verdicts;
	private final Map<String, MaskableElements.Mask> maskableByProfiles = new ConcurrentHashMap<>();
	private final AtomicLong generation = new AtomicLong();
	private final boolean enabled;

	public VerdictMemo(SasProperties properties) {
		int size = properties.getValidation().getMemoSize();
		this.enabled = size > 0;
		this.verdicts = Caffeine.newBuilder().maximumSize(Math.max(size, 1)).build();
	}

	/** A resource's place in the memo: its key, the values masked in it, and the content generation it saw. */
	record Key(String value, List<String> masked, long generation) {}

	/**
	 * The key of a resource (as JSON) validated against the given profiles, or null when it is not memoised (memo
	 * off). A resource with contained resources, or a primitive of a maskable element carrying extensions, is keyed
	 * by its exact JSON: only the very same content shares its verdict (a publisher's role returned to every search).
	 */
	Key keyOf(byte[] json, List<StructureDefinition> profiles, Function<String, StructureDefinition> fetch) {
		if (!enabled || profiles.isEmpty()) {
			return null;
		}
		long seen = generation.get();
		ObjectNode root;
		try {
			if (!(mapper.readTree(json) instanceof ObjectNode object)) {
				return null;
			}
			root = object;
		} catch (IOException e) {
			return null;
		}
		String urls = urls(profiles);
		Key exact = new Key(urls + "\n" + root, List.of(), seen);
		List<String> masked = new ArrayList<>();
		if (!apply(root, masks(urls, profiles, fetch), masked)) {
			return exact;
		}
		JsonNode contained = root.get("contained");
		if (contained != null) {
			if (!contained.isArray()) {
				return exact;
			}
			// Each contained resource by its own profiles; its id stays (the references to it name it).
			for (JsonNode item : contained) {
				if (!(item instanceof ObjectNode resource)) {
					return exact;
				}
				List<StructureDefinition> its = new ArrayList<>();
				for (JsonNode url : resource.path("meta").path("profile")) {
					StructureDefinition profile = url.isTextual() ? fetch.apply(url.textValue()) : null;
					if (profile == null) {
						its.clear();
						break; // an unknown profile: its values stay in the key
					}
					its.add(profile);
				}
				if (!its.isEmpty() && !apply(resource, masks(urls(its), its, fetch).withoutId(), masked)) {
					return exact;
				}
			}
		}
		return new Key(urls + "\n" + root, List.copyOf(masked), seen);
	}

	private static String urls(List<StructureDefinition> profiles) {
		return profiles.stream().map(p -> p.getUrl() + "|" + p.getVersion()).collect(Collectors.joining(" "));
	}

	private MaskableElements.Mask masks(String urls, List<StructureDefinition> profiles, Function<String, StructureDefinition> fetch) {
		return maskableByProfiles.computeIfAbsent(urls, k -> MaskableElements.of(profiles, fetch));
	}

	/**
	 * Masks what {@code mask} says of one level of a resource, and below; false when the JSON is not what a valid
	 * resource's would be there, or a masked primitive carries extensions: then the resource is keyed as it is.
	 */
	private static boolean apply(ObjectNode node, MaskableElements.Mask mask, List<String> masked) {
		for (Map.Entry<String, MaskableElements.Form> leaf : mask.leaves().entrySet()) {
			String name = leaf.getKey();
			JsonNode value = node.get(name);
			if (value == null) {
				continue;
			}
			if (node.has("_" + name)) {
				return false;
			}
			if (leaf.getValue() == MaskableElements.Form.REFERENCE) {
				if (!maskReferences(value, masked)) {
					return false;
				}
			} else if (value instanceof ArrayNode list) {
				for (int i = 0; i < list.size(); i++) {
					String shape = shape(leaf.getValue(), list.get(i), masked);
					if (shape == null && !plainKept(list.get(i), leaf.getValue())) {
						return false;
					}
					if (shape != null) {
						list.set(i, list.objectNode().put("shape", shape));
					}
				}
			} else if (!mask(node, name, leaf.getValue(), masked)) {
				return false;
			}
		}
		for (Map.Entry<String, MaskableElements.Mask> child : mask.children().entrySet()) {
			JsonNode value = node.get(child.getKey());
			if (value == null) {
				continue;
			}
			for (JsonNode item : value.isArray() ? value : List.of(value)) {
				if (!(item instanceof ObjectNode object) || !apply(object, child.getValue(), masked)) {
					return false;
				}
			}
		}
		return true;
	}

	/** Masks a primitive of {@code parent} if plain; false when the JSON is not a primitive's of that form. */
	private static boolean mask(ObjectNode parent, String name, MaskableElements.Form form, List<String> masked) {
		JsonNode value = parent.get(name);
		String shape = shape(form, value, masked);
		if (shape != null) {
			// An object can never be the JSON of a primitive: no real value collides with a mask.
			parent.putObject(name).put("shape", shape);
			return true;
		}
		return plainKept(value, form);
	}

	/** The shape of a primitive's JSON value when it is plain for that form (recorded as masked), else null. */
	private static String shape(MaskableElements.Form form, JsonNode value, List<String> masked) {
		boolean rightKind = form == MaskableElements.Form.DECIMAL ? value.isNumber() : value.isTextual();
		if (!rightKind) {
			return null;
		}
		String shape = PlainValues.shape(form, value.asText());
		if (shape != null) {
			masked.add(value.asText());
		}
		return shape;
	}

	/** A value left in the key as it is: of the right JSON kind, but not plain. */
	private static boolean plainKept(JsonNode value, MaskableElements.Form form) {
		return form == MaskableElements.Form.DECIMAL ? value.isNumber() : value.isTextual();
	}

	/** Masks the {@code reference} of one Reference or of each of a list of them. */
	private static boolean maskReferences(JsonNode value, List<String> masked) {
		Iterable<JsonNode> references = value.isArray() ? value : List.of(value);
		for (JsonNode reference : references) {
			if (!(reference instanceof ObjectNode object) || object.has("_reference")) {
				return false;
			}
			if (object.has("reference")
					&& !mask(object, "reference", MaskableElements.Form.REFERENCE, masked)) {
				return false;
			}
		}
		return true;
	}

	/** The remembered verdict for that key, as a list the caller may change, or null. */
	List<ValidationMessage> get(Key key) {
		List<ValidationMessage> verdict = verdicts.getIfPresent(key.value());
		return verdict == null ? null : new ArrayList<>(verdict);
	}

	void put(Key key, List<ValidationMessage> verdict) {
		if (key.generation() != generation.get() || quotesMaskedValue(verdict, key.masked())) {
			return;
		}
		verdicts.put(key.value(), List.copyOf(verdict));
	}

	private static boolean quotesMaskedValue(List<ValidationMessage> verdict, List<String> masked) {
		for (ValidationMessage message : verdict) {
			for (String value : masked) {
				if (contains(message.getMessage(), value)
						|| contains(message.getLocation(), value)
						|| contains(message.getHtml(), value)) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean contains(String text, String value) {
		return text != null && text.contains(value);
	}

	/** Forgets every verdict: the profiles or terminology they were given against have changed. */
	public void forgetAll() {
		generation.incrementAndGet();
		maskableByProfiles.clear();
		verdicts.invalidateAll();
	}

	long size() {
		verdicts.cleanUp();
		return verdicts.estimatedSize();
	}
}
