package fr.sas.fhir.contextual;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/** The contextual search feature (INT_L01): on unless {@code sas.contextual.enabled=false}. */
@Configuration
@ConditionalOnProperty(prefix = "sas.contextual", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ContextualProperties.class)
public class ContextualConfig {

	@Bean
	public CommuneDirectory communeDirectory(ContextualProperties properties, ResourceLoader resources) {
		try (InputStream communes = resources.getResource(properties.getCommunes()).getInputStream();
				InputStream departements = resources.getResource(properties.getDepartements()).getInputStream()) {
			return new CommuneDirectory(communes, departements, properties.getRadius());
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read the commune reference tables", e);
		}
	}

	@Bean
	public AddressGeocoder addressGeocoder(ContextualProperties properties) {
		return properties.getBan().isEnabled() ? new BanGeocoder(properties.getBan()) : AddressGeocoder.NONE;
	}

	@Bean
	public PlaceResolver placeResolver(CommuneDirectory communes, AddressGeocoder geocoder) {
		return new PlaceResolver(communes, geocoder);
	}
}
