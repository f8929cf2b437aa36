package fr.sas.fhir.transmission;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The Hub Santé's JSON Schemas in {@code ../shared/hub-sante/json-schema}: the oracle of every message sent.
 * They name each other by file name under {@code classpath:/json-schema/}; that prefix is mapped to the folder.
 * Absent: the tests that need them are skipped.
 */
final class HubSchemas {

	private final JsonSchema full;

	private HubSchemas(JsonSchema full) {
		this.full = full;
	}

	static HubSchemas load() {
		String configured = System.getenv("SAS_SHARED_DIR");
		Path shared = configured != null ? Path.of(configured) : Path.of("..", "shared");
		Path dir = shared.resolve("hub-sante").resolve("json-schema").toAbsolutePath();
		assumeTrue(Files.isRegularFile(dir.resolve("EDXL-DE-full.schema.json")), "Hub Santé schemas not found at " + dir);
		JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
				builder -> builder.schemaMappers(m -> m.mapPrefix("classpath:/json-schema/", dir.toUri().toString())));
		return new HubSchemas(factory.getSchema(SchemaLocation.of("classpath:/json-schema/EDXL-DE-full.schema.json")));
	}

	/** The schema's complaints about a whole message (envelope, RC-DE header, payload); empty when valid. */
	List<String> problems(JsonNode message) {
		Set<ValidationMessage> messages = full.validate(message);
		return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
	}
}
