package fr.sas.fhir.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import java.util.Comparator;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * Gives every differential-only StructureDefinition its snapshot once, at load, so that validating a resource
 * never pays for snapshot generation. Extensions come first: the profiles that slice them need their snapshots.
 */
final class SnapshotGenerator {

	private final FhirContext fhirContext;

	SnapshotGenerator(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	/** Generates the missing snapshots of {@code targets}; {@code all} holds what they may depend on. */
	void completeSnapshots(List<IBaseResource> all, List<IBaseResource> targets) {
		PrePopulatedValidationSupport loaded = new PrePopulatedValidationSupport(fhirContext);
		all.forEach(loaded::addResource);
		ValidationSupportChain chain = InMemoryValidationChain.over(fhirContext, loaded);
		ValidationSupportContext context = new ValidationSupportContext(chain);

		targets.stream()
				.filter(r -> r instanceof StructureDefinition sd && !sd.hasSnapshot())
				.map(r -> (StructureDefinition) r)
				.sorted(Comparator.comparingInt(SnapshotGenerator::generationOrder))
				.forEach(sd -> {
					StructureDefinition withSnapshot = (StructureDefinition)
							chain.generateSnapshot(context, sd, sd.getUrl(), null, sd.getName());
					if (withSnapshot == null || !withSnapshot.hasSnapshot()) {
						throw new IllegalStateException("Could not generate the snapshot of " + sd.getUrl());
					}
					sd.setSnapshot(withSnapshot.getSnapshot());
					loaded.addStructureDefinition(sd);
				});
	}

	/** Extensions, then resource profiles, then Bundles (which only name the others). */
	private static int generationOrder(StructureDefinition sd) {
		if ("Extension".equals(sd.getType())) {
			return 0;
		}
		return "Bundle".equals(sd.getType()) ? 2 : 1;
	}
}
