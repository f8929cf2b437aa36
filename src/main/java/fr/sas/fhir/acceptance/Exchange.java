package fr.sas.fhir.acceptance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.LenientErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.sas.fhir.publishers.PublisherCall;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * One request of the acceptance and its answer, read twice: as FHIR (HAPI's parser, lenient, so that what the
 * validator and the checks say is not hidden behind a parse error) and as plain JSON (the FAQ's checks on the text
 * as sent: empty elements, dates without offset, identifiers and phones).
 *
 * @param asked the identifiers sent ({@code system|value})
 * @param problem why the answer cannot be used as a searchset Bundle, null when it can
 */
record Exchange(String request, PublisherCall call, List<String> asked, IBaseResource resource, JsonNode json, String problem) {

	private static final ObjectMapper JSON = new ObjectMapper();

	static Exchange of(FhirContext fhirContext, PublisherCall call, List<String> asked, boolean expectBundle) {
		String request = "GET " + call.url();
		if (!call.answered()) {
			return new Exchange(request, call, asked, null, null, call.describe());
		}
		String type = call.contentType() == null ? "" : call.contentType().toLowerCase();
		if (!type.contains("json")) {
			return new Exchange(request, call, asked, null, null, "content type '" + call.contentType() + "', not FHIR JSON");
		}
		String text = new String(call.body(), StandardCharsets.UTF_8);
		JsonNode json;
		IBaseResource parsed;
		try {
			json = JSON.readTree(text);
			parsed = fhirContext.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false)).parseResource(text);
		} catch (DataFormatException | java.io.IOException | IllegalArgumentException | ClassCastException e) {
			return new Exchange(request, call, asked, null, null, "not FHIR JSON: " + Text.firstLine(e.getMessage()));
		}
		if (expectBundle) {
			if (!(parsed instanceof Bundle bundle)) {
				return new Exchange(request, call, asked, parsed, json, "a " + parsed.fhirType() + ", not a Bundle");
			}
			if (bundle.getType() != Bundle.BundleType.SEARCHSET) {
				return new Exchange(request, call, asked, parsed, json, "a Bundle of type "
						+ (bundle.hasType() ? bundle.getType().toCode() : "(none)") + ", not searchset");
			}
		}
		return new Exchange(request, call, asked, parsed, json, null);
	}

	boolean usable() {
		return problem == null;
	}

	Bundle bundle() {
		return (Bundle) resource;
	}

	/** The entries' resources by {@code Type/id}, the key references resolve to. */
	Map<String, Resource> byKey() {
		Map<String, Resource> byKey = new LinkedHashMap<>();
		for (Bundle.BundleEntryComponent entry : bundle().getEntry()) {
			if (entry.getResource() != null && entry.getResource().getIdElement().hasIdPart()) {
				byKey.put(entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart(), entry.getResource());
			}
		}
		return byKey;
	}

	/** The {@code Type/id} a reference points to (absolute, relative or versioned), empty for none or a contained one. */
	static Optional<String> key(Reference reference) {
		if (reference == null || !reference.hasReference() || reference.getReference().startsWith("#")) {
			return Optional.empty();
		}
		var id = reference.getReferenceElement();
		return id.hasResourceType() && id.hasIdPart() ? Optional.of(id.getResourceType() + "/" + id.getIdPart()) : Optional.empty();
	}

	/** The JSON of one entry, as sent, for a report. */
	String entryJson(int index) {
		JsonNode entry = json == null ? null : json.path("entry").path(index).path("resource");
		return entry == null || entry.isMissingNode() ? null : Text.clip(entry.toPrettyString());
	}

	int indexOf(Resource resource) {
		List<Bundle.BundleEntryComponent> entries = bundle().getEntry();
		for (int i = 0; i < entries.size(); i++) {
			if (entries.get(i).getResource() == resource) {
				return i;
			}
		}
		return -1;
	}

	String entryJson(Resource resource) {
		return entryJson(indexOf(resource));
	}

	/** The start of the answer as sent, for a report. */
	String head() {
		return call.describe() + (call.body().length == 0 ? "" : "\n" + Text.clip(new String(call.body(), StandardCharsets.UTF_8)));
	}
}
