package fr.sas.fhir.contextual;

import java.util.Optional;

/** The street-level position of a postal address, when a geocoder knows it (the commune's is the fallback). */
public interface AddressGeocoder {

	/**
	 * @param street the number and street ("12 rue de la Paix")
	 * @param commune the commune the address is in, already resolved
	 */
	Optional<GeoPoint> locate(String street, Commune commune);

	/** No street-level geocoding: every address is placed at its commune (the default, offline). */
	AddressGeocoder NONE = (street, commune) -> Optional.empty();
}
