package fr.sas.fhir.common;

import java.util.Map;
import java.util.Optional;

/**
 * The profiles of the guide's search answers: the Bundle profile of each shape and the profile of each entry in it
 * (the Bundle profiles' entry slices): what the store's answers declare and what a publisher's answers are checked
 * against.
 */
public final class GuideShapes {

	private static final String LEGACY = "http://sas.fr/fhir/StructureDefinition/";
	private static final String SAS = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/";

	public static final String BUNDLE_PRACTITIONERS = LEGACY + "BundleAgregateur";
	public static final String BUNDLE_CPTS = SAS + "sas-cpts-bundle-aggregator";
	public static final String BUNDLE_SOS = SAS + "sas-sos-bundle-aggregator";

	private static final Map<String, String> PRACTITIONER_ENTRIES = Map.of(
			"Slot", LEGACY + "FrSlotAgregateur",
			"Schedule", LEGACY + "FrScheduleAgregateur",
			"Practitioner", LEGACY + "FrPractitionerAgregateur",
			"PractitionerRole", LEGACY + "FrPractitionerRoleExerciceAgregateur",
			"HealthcareService", SAS + "sas-cpts-healthcareservice-aggregator",
			"Organization", SAS + "sas-cpts-organization-aggregator");
	private static final String CPTS_SLOT = SAS + "sas-cpts-slot-aggregator";
	private static final Map<String, String> SOS_ENTRIES = Map.of(
			"Slot", SAS + "sas-sos-slot-aggregator",
			"Schedule", SAS + "sas-sos-schedule-aggregator",
			"Location", SAS + "sas-sos-location-aggregator",
			"Organization", SAS + "sas-sos-organization-aggregator");

	private GuideShapes() {}

	/**
	 * The profile an entry of {@code type} has in an answer of the SOS shape or of the practitioners' shape (a CPTS
	 * slot, with its service reference, has the CPTS slot profile); empty when the shape holds no such type.
	 */
	public static Optional<String> entryProfile(boolean sos, String type, boolean cptsSlot) {
		if (!sos && cptsSlot && "Slot".equals(type)) {
			return Optional.of(CPTS_SLOT);
		}
		return Optional.ofNullable((sos ? SOS_ENTRIES : PRACTITIONER_ENTRIES).get(type));
	}

	/** The Bundle profile of an answer: SOS, CPTS when it holds a CPTS slot, individual practitioners otherwise. */
	public static String bundleProfile(boolean sos, boolean anyCptsSlot) {
		return sos ? BUNDLE_SOS : anyCptsSlot ? BUNDLE_CPTS : BUNDLE_PRACTITIONERS;
	}
}
