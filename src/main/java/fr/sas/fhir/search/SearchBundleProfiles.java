package fr.sas.fhir.search;

import fr.sas.fhir.common.GuideSearchRequest;

import java.util.List;

/**
 * The Bundle profile a guide search answer declares: {@code sas-sos-bundle-aggregator} for SOS Médecins,
 * {@code sas-cpts-bundle-aggregator} when any returned slot is a CPTS slot, {@code BundleAgregateur} otherwise.
 */
final class SearchBundleProfiles {

	static final String PRACTITIONERS = "http://sas.fr/fhir/StructureDefinition/BundleAgregateur";
	static final String CPTS = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-bundle-aggregator";
	static final String SOS = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-sos-bundle-aggregator";

	private SearchBundleProfiles() {}

	static String of(GuideSearchRequest.Shape shape, List<GuideSearchExecutor.Entry> entries) {
		if (shape == GuideSearchRequest.Shape.SOS) {
			return SOS;
		}
		return entries.stream().anyMatch(e -> e.resource().cpts()) ? CPTS : PRACTITIONERS;
	}
}
