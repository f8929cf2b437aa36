package fr.sas.fhir.conformance;

import fr.sas.fhir.common.SasProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

@Configuration
public class ConformanceConfig {

	@Bean
	public IgManifest igManifest(ResourceLoader resourceLoader, SasProperties properties) {
		return IgManifest.read(resourceLoader, properties.getIg().getManifest());
	}
}
