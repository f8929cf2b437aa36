package fr.sas.fhir.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hapi.converters.canonical.VersionCanonicalizer;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.validator.ProfileKnowledgeWorkerR5;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r5.conformance.profile.ProfileUtilities;

/**
 * Gives every differential-only StructureDefinition its snapshot once, at load, so that validating a resource
 * never pays for snapshot generation. One snapshot generator serves a whole phase: building one costs a
 * conversion of every StructureDefinition of the chain (all of R4 core), which HAPI's
 * {@code SnapshotGeneratingValidationSupport} pays for each profile. Extensions come first, in their own phase:
 * the profiles that slice them need their snapshots.
 */
final class SnapshotGenerator {

	private final FhirContext fhirContext;
	private final VersionCanonicalizer canonicalizer;

	SnapshotGenerator(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
		this.canonicalizer = new VersionCanonicalizer(fhirContext);
	}

	/** Generates the missing snapshots of {@code targets}; {@code all} holds what they may depend on. */
	void completeSnapshots(List<IBaseResource> all, List<IBaseResource> targets) {
		PrePopulatedValidationSupport loaded = new PrePopulatedValidationSupport(fhirContext);
		all.forEach(loaded::addResource);
		List<StructureDefinition> extensions = new ArrayList<>();
		List<StructureDefinition> others = new ArrayList<>();
		for (IBaseResource target : targets) {
			if (target instanceof StructureDefinition sd && !sd.hasSnapshot()) {
				("Extension".equals(sd.getType()) ? extensions : others).add(sd);
			}
		}
		generatePhase(loaded, extensions);
		generatePhase(loaded, others);
	}

	private void generatePhase(PrePopulatedValidationSupport loaded, List<StructureDefinition> phase) {
		if (phase.isEmpty()) {
			return;
		}
		WorkerContextValidationSupportAdapter worker =
				new WorkerContextValidationSupportAdapter(InMemoryValidationChain.over(fhirContext, loaded));
		ProfileUtilities generator =
				new ProfileUtilities(worker, new ArrayList<>(), new ProfileKnowledgeWorkerR5(fhirContext));
		for (StructureDefinition sd : phase) {
			org.hl7.fhir.r5.model.StructureDefinition canonical = canonicalizer.structureDefinitionToCanonical(sd.copy());
			org.hl7.fhir.r5.model.StructureDefinition base =
					worker.fetchResource(org.hl7.fhir.r5.model.StructureDefinition.class, canonical.getBaseDefinition());
			if (base == null || !base.hasSnapshot()) {
				throw new IllegalStateException("No snapshot for " + canonical.getBaseDefinition() + ", base of " + sd.getUrl());
			}
			generator.generateSnapshot(base, canonical, canonical.getUrl(), null, canonical.getName());
			StructureDefinition withSnapshot = (StructureDefinition) canonicalizer.structureDefinitionFromCanonical(canonical);
			if (!withSnapshot.hasSnapshot()) {
				throw new IllegalStateException("Could not generate the snapshot of " + sd.getUrl());
			}
			sd.setSnapshot(withSnapshot.getSnapshot());
			loaded.addStructureDefinition(sd);
		}
	}
}
