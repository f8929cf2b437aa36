package fr.sas.fhir.common;

import org.hl7.fhir.r4.model.Slot;

/** Code systems and codes of the guide that several features read (the rules write them, the searches select by them). */
public final class SasCodes {

	/** TRE_R314 TypeCreneau: the slot types (PUBLIC, PRO, SNP, CPTS), carried in {@code Slot.meta.security}. */
	/** The profile of regulator accounts (INT_R02). */
	public static final String PRACTITIONER_REGUL = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul";
	public static final String TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";
	/** TRE_R66 CategorieEtablissement: code 604 marks a CPTS service type. */
	public static final String TRE_R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement";
	/** The R5 extension by which a CPTS slot's serviceType references its HealthcareService. */
	public static final String SLOT_SERVICE_TYPE = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType";
	/** The extension naming the regulator who booked an appointment (its operator). */
	public static final String APPOINTMENT_OPERATOR = "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator";
	/** The profile of SOS Médecins appointments (the only ones that may be {@code pending}). */
	public static final String SOS_APPOINTMENT = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-sos-appointment";

	/** A regulator account (INT_R02): a Practitioner of the {@link #PRACTITIONER_REGUL} profile, not a card's practitioner. */
	public static boolean isRegulatorAccount(org.hl7.fhir.instance.model.api.IBaseResource resource) {
		return resource instanceof org.hl7.fhir.r4.model.Practitioner practitioner
				&& practitioner.getMeta().getProfile().stream().anyMatch(p -> PRACTITIONER_REGUL.equals(p.getValue()));
	}

	/**
	 * Code-system URLs as some pages of the guide print them, and the code system's canonical URL: FAQ item 6
	 * (CPTS slot example) writes TRE_R66 without its FHIR part, the CPTS page ("Type de soins") with its NOS name
	 * twice.
	 */
	public static final java.util.Map<String, String> PRINTED_SYSTEMS = java.util.Map.of(
			"https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement", TRE_R66,
			"https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/TRE_R66-CategorieEtablissement", TRE_R66);

	private SasCodes() {}

	/** A CPTS slot: the CPTS code of TRE_R314 in its security labels. */
	public static boolean isCpts(Slot slot) {
		return slot.getMeta().getSecurity().stream()
				.anyMatch(c -> TYPE_CRENEAU.equals(c.getSystem()) && "CPTS".equals(c.getCode()));
	}
}
