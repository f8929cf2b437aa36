package fr.sas.fhir.conformance;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.ResourceLoader;

/**
 * The IG manifest ({@code ig/manifest.json}): which guide this server implements, the CapabilityStatements it
 * instantiates and the folders of conformance resources loaded at start-up.
 */
public record IgManifest(Guide guide, List<String> instantiates, List<String> sources, Map<String, String> dependencies) {

	public record Guide(String packageId, String version, String canonical, String fhirVersion) {}

	public static IgManifest read(ResourceLoader resourceLoader, String location) {
		ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
		try (InputStream in = resourceLoader.getResource(location).getInputStream()) {
			IgManifest manifest = mapper.readValue(in, IgManifest.class);
			if (manifest.guide() == null || manifest.sources() == null) {
				throw new IllegalStateException("IG manifest " + location + " needs 'guide' and 'sources'");
			}
			return manifest;
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read the IG manifest " + location, e);
		}
	}
}
