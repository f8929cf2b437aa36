package fr.sas.fhir.contextual;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The offline geocoder: every commune, its postal codes and position; every département and its radius. */
class CommuneDirectoryTest {

	private final CommuneDirectory communes = ReferenceTables.COMMUNES;

	@Test
	void everyCommuneOfFranceAndOverseasIsPlaced() {
		assertThat(communes.size()).isGreaterThan(34_900);
		assertThat(communes.departements()).hasSize(101);
		for (String code : new String[] {"01", "2A", "2B", "75", "971", "972", "973", "974", "976"}) {
			assertThat(communes.departement(code)).as(code).isPresent();
		}
	}

	@Test
	void aPostalAddressResolvesToItsCommune() {
		assertThat(communes.resolve("35000", "Rennes").orElseThrow().insee()).isEqualTo("35238");
		// Accents, case, hyphens and "St" as addresses write them.
		assertThat(communes.resolve("42000", "st etienne").orElseThrow().insee()).isEqualTo("42218");
		assertThat(communes.resolve("97400", "Saint-Denis").orElseThrow().insee()).isEqualTo("97411");
		assertThat(communes.resolve("93200", "Saint Denis").orElseThrow().insee()).isEqualTo("93066");
		// Paris by its arrondissement's postal code.
		assertThat(communes.resolve("75011", "Paris").orElseThrow().insee()).isEqualTo("75111");
		// A postal code of one commune needs no city.
		assertThat(communes.resolve("29200", null).orElseThrow().insee()).isEqualTo("29019");
		assertThat(communes.resolve("48000", null)).as("a postal code of several communes, no city").isEmpty();
		assertThat(communes.resolve("99999", "Nulle Part")).isEmpty();
	}

	@Test
	void aCityNameAloneMayBeAmbiguous() {
		assertThat(communes.named("Saint-Denis")).hasSizeGreaterThan(2);
		assertThat(communes.named("Rennes")).extracting(Commune::insee).containsExactly("35238");
	}

	@Test
	void positionsAreWhereTheCommunesAre() {
		GeoPoint rennes = communes.byInsee("35238").orElseThrow().position();
		GeoPoint brest = communes.byInsee("29019").orElseThrow().position();
		assertThat(rennes.distanceKm(brest)).isBetween(205.0, 225.0);
		GeoPoint mamoudzou = communes.byInsee("97611").orElseThrow().position();
		assertThat(mamoudzou.latitude()).isBetween(-13.0, -12.6);
		assertThat(communes.departementOf(rennes).code()).isEqualTo("35");
	}

	@Test
	void theDepartementRadiusTableCanBeOverridden() {
		assertThat(communes.departement("75").orElseThrow().defaultRadiusKm()).isEqualTo(5);
		assertThat(ReferenceTables.load(Map.of("75", 2.5)).departement("75").orElseThrow().defaultRadiusKm()).isEqualTo(2.5);
	}
}
