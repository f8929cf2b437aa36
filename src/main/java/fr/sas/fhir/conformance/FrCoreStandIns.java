package fr.sas.fhir.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.UriType;

/**
 * The official SAS package names FR Core definitions (FrContactPoint, FrHumanName, FR Core extensions...) that are
 * not available here. When such a package is loaded, each definition it names but nobody supplies gets a stand-in:
 * the R4 base definition of the element's type under the FR Core URL (for an extension, with its url fixed), so
 * that validating against the official profiles reports real violations only. The project's own content names no
 * missing definition, so nothing is added for it.
 */
public final class FrCoreStandIns {

	private static final String CORE = "http://hl7.org/fhir/StructureDefinition/";

	private FrCoreStandIns() {}

	public static List<IBaseResource> missingFrom(FhirContext fhirContext, List<? extends IBaseResource> content) {
		Set<String> known = new HashSet<>();
		for (IBaseResource r : content) {
			if (r instanceof StructureDefinition sd) {
				known.add(sd.getUrl());
			}
		}
		DefaultProfileValidationSupport base = new DefaultProfileValidationSupport(fhirContext);
		Map<String, IBaseResource> standIns = new LinkedHashMap<>();
		for (IBaseResource r : content) {
			if (!(r instanceof StructureDefinition sd) || !sd.hasSnapshot()) {
				continue;
			}
			for (ElementDefinition element : sd.getSnapshot().getElement()) {
				for (ElementDefinition.TypeRefComponent type : element.getType()) {
					for (CanonicalType profile : type.getProfile()) {
						String url = profile.getValue();
						if (url == null || known.contains(url) || url.startsWith(CORE) || standIns.containsKey(url)) {
							continue;
						}
						StructureDefinition core = (StructureDefinition) base.fetchStructureDefinition(CORE + type.getCode());
						if (core != null) {
							standIns.put(url, standIn(core, url, type.getCode()));
						}
					}
				}
			}
		}
		return new ArrayList<>(standIns.values());
	}

	private static StructureDefinition standIn(StructureDefinition core, String url, String type) {
		StructureDefinition copy = core.copy();
		copy.setUrl(url).setId(url.substring(url.lastIndexOf('/') + 1));
		copy.setName(copy.getIdElement().getIdPart().replaceAll("[^A-Za-z0-9]", ""));
		copy.setDescription("Stand-in for " + url + " (not available here): the R4 base definition of " + type);
		copy.setDerivation(StructureDefinition.TypeDerivationRule.CONSTRAINT);
		copy.setBaseDefinition(CORE + type);
		copy.setPublisher("SAS FHIR server project");
		copy.setText(null);
		if ("Extension".equals(type)) {
			copy.getSnapshot().getElement().stream()
					.filter(e -> e.getPath().equals("Extension.url"))
					.forEach(e -> e.setFixed(new UriType(url)));
		}
		return copy;
	}
}
