package fr.sas.fhir.search;

import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.GuideShapes;

import java.util.List;

/**
 * The Bundle profile a guide search answer declares: {@code sas-sos-bundle-aggregator} for SOS Médecins,
 * {@code sas-cpts-bundle-aggregator} when any returned slot is a CPTS slot, {@code BundleAgregateur} otherwise.
 */
final class SearchBundleProfiles {

	private SearchBundleProfiles() {}

	static String of(GuideSearchRequest.Shape shape, List<GuideSearchExecutor.Entry> entries) {
		return GuideShapes.bundleProfile(shape == GuideSearchRequest.Shape.SOS,
				entries.stream().anyMatch(e -> e.resource().cpts()));
	}
}
