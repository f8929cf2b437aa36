package fr.sas.fhir.contextual;

import java.util.List;

/**
 * A commune of the reference table ({@code reference/communes.tsv}): its INSEE code, name, postal codes,
 * département and position. An arrondissement municipal (Paris, Lyon, Marseille) is a row of its own; a former
 * commune (déléguée, associée) is a row whose {@code commune} is the current one it belongs to.
 *
 * @param source where the position comes from: {@code geonames} (the place itself), {@code commune} (the
 *     commune it belongs to), {@code postal-code}, {@code arrondissement} (the mean position of the communes
 *     sharing its postal code, or its arrondissement)
 */
public record Commune(String insee, String name, List<String> postalCodes, String departement, GeoPoint position,
		String source, long population, String commune) {

	/** Whether this row is a current commune or arrondissement municipal (not a former commune's name). */
	public boolean isCurrent() {
		return insee.equals(commune);
	}
}
