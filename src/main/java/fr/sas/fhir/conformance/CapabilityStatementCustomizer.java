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

	public CapabilityStatementCustomizer(IgManifest manifest, Optional<BuildProperties> build) {
		this.manifest = manifest;
		this.version = build.map(BuildProperties::getVersion).orElse("dev");
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
		statement.getImplementationGuide().clear();
		statement.getImplementationGuide().add(new CanonicalType(manifest.guide().canonical() + "/ImplementationGuide/"
				+ manifest.guide().packageId() + "|" + manifest.guide().version()));
	}
}
