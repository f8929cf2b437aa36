package fr.sas.fhir.search;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Writes a search Bundle whose entries are already encoded: HAPI's encoder writes the Bundle without entries
 * (id, meta, type, total, links), the entries' JSON is spliced in exactly as HAPI's encoder would write each
 * ({@code fullUrl}, {@code resource}, {@code search.mode}). Used for compact JSON answers, the SAS platform's
 * case; every other answer goes through HAPI's serializer.
 */
final class EncodedBundleWriter {

	private static final byte[] ENTRY_OPEN = bytes(",\"entry\":[");
	private static final byte[] FULL_URL = bytes("{\"fullUrl\":");
	private static final byte[] RESOURCE = bytes(",\"resource\":");
	private static final byte[] MATCH = bytes(",\"search\":{\"mode\":\"match\"}}");
	private static final byte[] INCLUDE = bytes(",\"search\":{\"mode\":\"include\"}}");

	private EncodedBundleWriter() {}

	static void write(FhirContext fhirContext, Bundle envelope, List<GuideSearchExecutor.Entry> entries,
			String serverBase, String contentType, boolean gzip, HttpServletResponse response) throws IOException {
		String head = fhirContext.newJsonParser().setPrettyPrint(false).encodeResourceToString(envelope);
		response.setStatus(200);
		response.setContentType(contentType);
		response.setCharacterEncoding("UTF-8");
		if (gzip) {
			response.addHeader("Content-Encoding", "gzip");
		}
		OutputStream out = gzip ? new GZIPOutputStream(response.getOutputStream(), 8192) : response.getOutputStream();
		try (out) {
			if (entries.isEmpty()) {
				out.write(bytes(head));
				return;
			}
			out.write(bytes(head.substring(0, head.length() - 1)));
			out.write(ENTRY_OPEN);
			String base = serverBase.endsWith("/") ? serverBase : serverBase + "/";
			boolean first = true;
			for (GuideSearchExecutor.Entry entry : entries) {
				if (!first) {
					out.write(',');
				}
				first = false;
				out.write(FULL_URL);
				out.write(bytes(jsonString(base + entry.resource().type() + "/" + entry.resource().id())));
				out.write(RESOURCE);
				out.write(entry.resource().json());
				out.write(entry.match() ? MATCH : INCLUDE);
			}
			out.write(']');
			out.write('}');
		}
	}

	/** A JSON string literal, escaped as HAPI's (Jackson-based) encoder escapes it. */
	static String jsonString(String value) {
		StringBuilder b = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> b.append("\\\"");
				case '\\' -> b.append("\\\\");
				case '\n' -> b.append("\\n");
				case '\r' -> b.append("\\r");
				case '\t' -> b.append("\\t");
				default -> {
					if (c < 0x20) {
						b.append(String.format("\\u%04X", (int) c));
					} else {
						b.append(c);
					}
				}
			}
		}
		return b.append('"').toString();
	}

	private static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}
}
