package fr.sas.fhir.search;

import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Slot;

/**
 * The Bundle profile a guide search answer declares: {@code sas-sos-bundle-aggregator} for SOS Médecins,
 * {@code sas-cpts-bundle-aggregator} when any returned slot is a CPTS slot, {@code BundleAgregateur} otherwise.
 */
final class SearchBundleProfiles {

	static final String PRACTITIONERS = "http://sas.fr/fhir/StructureDefinition/BundleAgregateur";
	static final String CPTS = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-bundle-aggregator";
	static final String SOS = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-sos-bundle-aggregator";
	private static final String TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";

	private SearchBundleProfiles() {}

	static String of(GuideSearch.Shape shape, List<IBaseResource> resources) {
		if (shape == GuideSearch.Shape.SOS) {
			return SOS;
		}
		return resources.stream().anyMatch(SearchBundleProfiles::isCptsSlot) ? CPTS : PRACTITIONERS;
	}

	private static boolean isCptsSlot(IBaseResource resource) {
		if (!(resource instanceof Slot slot)) {
			return false;
		}
		for (Coding label : slot.getMeta().getSecurity()) {
			if (TYPE_CRENEAU.equals(label.getSystem()) && "CPTS".equals(label.getCode())) {
				return true;
			}
		}
		return false;
	}
}
