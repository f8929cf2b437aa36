package fr.sas.fhir.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/** Visits every node of a JSON answer with its path ({@code entry[2].resource.telecom[0]}). */
final class JsonWalk {

	private JsonWalk() {}

	static void walk(JsonNode root, BiConsumer<String, JsonNode> visitor) {
		if (root != null) {
			visit("", root, visitor);
		}
	}

	private static void visit(String path, JsonNode node, BiConsumer<String, JsonNode> visitor) {
		if (!path.isEmpty()) {
			visitor.accept(path, node);
		}
		if (node.isObject()) {
			for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
				Map.Entry<String, JsonNode> field = fields.next();
				visit(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), visitor);
			}
		} else if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				visit(path + "[" + i + "]", node.get(i), visitor);
			}
		}
	}
}
