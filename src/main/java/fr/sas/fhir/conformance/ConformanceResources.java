package fr.sas.fhir.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import fr.sas.fhir.common.ServedResourceTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.utilities.npm.NpmPackage;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;

/** Reads conformance resources (StructureDefinition, ValueSet, CodeSystem, SearchParameter...) from their sources. */
final class ConformanceResources {

	private final FhirContext fhirContext;
	private final ResourcePatternResolver resolver;

	ConformanceResources(FhirContext fhirContext, ResourcePatternResolver resolver) {
		this.fhirContext = fhirContext;
		this.resolver = resolver;
	}

	/** Every JSON conformance resource below a Spring location ({@code classpath:...} or {@code file:...}). */
	List<IBaseResource> fromLocation(String location) {
		String root = location.endsWith("/") ? location : location + "/";
		List<IBaseResource> out = new ArrayList<>();
		if (!resolver.getResource(root).exists()) {
			return out; // an empty folder is not packaged
		}
		String pattern = root + "**/*.json";
		try {
			Resource[] files = resolver.getResources(pattern);
			java.util.Arrays.sort(files, Comparator.comparing(Resource::getDescription));
			for (Resource file : files) {
				try (InputStream in = file.getInputStream()) {
					addIfConformance(out, in, file.getDescription());
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read conformance resources from " + location, e);
		}
		return out;
	}

	/**
	 * The conformance resources of a FHIR package: a {@code .tgz} as published, or an unpacked folder (the folder
	 * holding {@code package.json}, or its parent). Examples and other sub-folders are not read.
	 */
	List<IBaseResource> fromPackage(String location) {
		Path path = Path.of(location);
		try {
			if (Files.isDirectory(path)) {
				Path root = Files.exists(path.resolve("package").resolve("package.json")) ? path.resolve("package") : path;
				List<IBaseResource> out = new ArrayList<>();
				try (Stream<Path> files = Files.list(root)) {
					for (Path file : files.filter(ConformanceResources::isResourceFile).sorted().toList()) {
						try (InputStream in = Files.newInputStream(file)) {
							addIfConformance(out, in, file.toString());
						}
					}
				}
				return out;
			}
			try (InputStream in = Files.newInputStream(path)) {
				NpmPackage npm = NpmPackage.fromPackage(in);
				List<IBaseResource> out = new ArrayList<>();
				for (String name : npm.listResources(ServedResourceTypes.CONFORMANCE.toArray(String[]::new))) {
					try (InputStream resource = npm.loadResource(name)) {
						addIfConformance(out, resource, location + "!" + name);
					}
				}
				return out;
			}
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read the FHIR package " + location, e);
		}
	}

	private static boolean isResourceFile(Path file) {
		String name = file.getFileName().toString();
		return name.endsWith(".json") && !name.startsWith("."); // .index.json is the package's index
	}

	private void addIfConformance(List<IBaseResource> out, InputStream in, String description) throws IOException {
		String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		if (!json.contains("\"resourceType\"")) {
			return; // package.json, .index.json and other non-FHIR files
		}
		IParser parser = fhirContext.newJsonParser();
		IBaseResource resource;
		try {
			resource = parser.parseResource(json);
		} catch (RuntimeException e) {
			throw new IllegalStateException("Invalid FHIR JSON in conformance file " + description, e);
		}
		if (ServedResourceTypes.CONFORMANCE.contains(fhirContext.getResourceType(resource))) {
			out.add(resource);
		}
	}
}
