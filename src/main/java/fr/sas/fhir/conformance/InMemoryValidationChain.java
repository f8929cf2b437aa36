package fr.sas.fhir.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.util.Collection;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** A validation support chain over conformance resources held in memory, on top of the R4 core definitions. */
public final class InMemoryValidationChain {

	private InMemoryValidationChain() {}

	public static ValidationSupportChain over(FhirContext fhirContext, PrePopulatedValidationSupport loaded) {
		return new ValidationSupportChain(
				loaded,
				new DefaultProfileValidationSupport(fhirContext),
				new CommonCodeSystemsTerminologyService(fhirContext),
				new InMemoryTerminologyServerValidationSupport(fhirContext),
				new SnapshotGeneratingValidationSupport(fhirContext));
	}

	public static ValidationSupportChain over(FhirContext fhirContext, Collection<? extends IBaseResource> resources) {
		PrePopulatedValidationSupport loaded = new PrePopulatedValidationSupport(fhirContext);
		resources.forEach(loaded::addResource);
		return over(fhirContext, loaded);
	}
}
