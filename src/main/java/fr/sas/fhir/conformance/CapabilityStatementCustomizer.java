package fr.sas.fhir.conformance;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/**
 * Names this server in {@code /metadata} and declares the guide's server CapabilityStatements it instantiates
 * (listed in the IG manifest), so a client can see which SAS interactions it answers.
 */
@Component
@Interceptor
public class CapabilityStatementCustomizer {

	private final IgManifest manifest;
	private final String version;
	/** Installed OperationDefinitions' canonical URLs, by "ResourceType/code" (set by the conformance loader). */
	private final java.util.Map<String, String> operations = new java.util.concurrent.ConcurrentHashMap<>();

	public CapabilityStatementCustomizer(IgManifest manifest, Optional<BuildProperties> build) {
		this.manifest = manifest;
		this.version = build.map(BuildProperties::getVersion).orElse("dev");
	}

	/** Called by the conformance loader with everything it installed. */
	void register(java.util.List<org.hl7.fhir.instance.model.api.IBaseResource> installed) {
		for (org.hl7.fhir.instance.model.api.IBaseResource r : installed) {
			if (r instanceof org.hl7.fhir.r4.model.OperationDefinition definition && definition.hasUrl()) {
				definition.getResource().forEach(type -> operations.put(type.getValue() + "/" + definition.getCode(), definition.getUrl()));
			}
		}
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void customize(IBaseConformance generated) {
		CapabilityStatement statement = (CapabilityStatement) generated;
		statement.setName("SASFhirServer");
		statement.setTitle("Serveur FHIR du Service d'Accès aux Soins");
		statement.setPublisher("SAS FHIR server project");
		statement.getSoftware().setName("SAS FHIR server").setVersion(version);
		statement.getImplementation().setDescription("SAS FHIR server " + version + " implementing "
				+ manifest.guide().packageId() + " " + manifest.guide().version());
		statement.setVersion(version);
		statement.getInstantiates().clear();
		manifest.instantiates().forEach(url -> statement.addInstantiates(url));
		// An operation whose OperationDefinition the conformance content installs is declared by that definition's
		// canonical URL (the server's own generated definition describes the same parameters, less documented).
		for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
			for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
				for (CapabilityStatement.CapabilityStatementRestResourceOperationComponent operation : resource.getOperation()) {
					String canonical = operations.get(resource.getType() + "/" + operation.getName());
					if (canonical != null) {
						operation.setDefinition(canonical);
					}
				}
			}
		}
		statement.getImplementationGuide().clear();
		statement.getImplementationGuide().add(new CanonicalType(manifest.guide().canonical() + "/ImplementationGuide/"
				+ manifest.guide().packageId() + "|" + manifest.guide().version()));
	}
}
