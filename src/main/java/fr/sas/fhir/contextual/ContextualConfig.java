package fr.sas.fhir.contextual;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.SlotSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.ZoneId;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;

/** The contextual search feature (INT_L01): on unless {@code sas.contextual.enabled=false}. */
@Configuration
@ConditionalOnProperty(prefix = "sas.contextual", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ContextualProperties.class)
public class ContextualConfig {

	/** The card table joins HAPI's persistence unit, so cards are written in the same transactions as resources. */
	@Bean
	public static PersistenceUnitPostProcessor contextualCardEntity() {
		return unit -> unit.addManagedClassName(ContextualCard.class.getName());
	}

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

	@Bean
	CardMaintenance cardMaintenance(IInterceptorService storageInterceptors, DaoRegistry daoRegistry, CommuneDirectory communes) {
		return new CardMaintenance(storageInterceptors, daoRegistry, communes);
	}

	@Bean
	CardIndex cardIndex(SasProperties sas) {
		return new CardIndex(sas.getIndex().isEnabled());
	}

	@Bean
	public CardRebuild cardRebuild(DaoRegistry daoRegistry, IHapiTransactionService transactions, CardMaintenance maintenance,
			SasProperties sas) {
		return new CardRebuild(daoRegistry, transactions, maintenance, sas.getIndex().isEnabled());
	}

	@Bean
	SpecialtyCodes specialtyCodes(ca.uhn.fhir.context.support.IValidationSupport validationSupport) {
		return new SpecialtyCodes(validationSupport);
	}

	@Bean
	ContextualSearch contextualSearch(CardIndex cards, SlotSource slots, PlaceResolver places, SpecialtyCodes specialties,
			Clock clock, ContextualProperties properties) {
		return new ContextualSearch(cards, slots, places, specialties, clock, ZoneId.of(properties.getZone()));
	}

	@Bean
	public ContextualSearchProvider contextualSearchProvider(ContextualSearch search, ContextualProperties properties,
			Clock clock, IInterceptorService storageInterceptors, IHapiTransactionService transactions) {
		return new ContextualSearchProvider(search, properties, clock, ZoneId.of(properties.getZone()), storageInterceptors,
				transactions);
	}
}
