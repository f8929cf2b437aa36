package fr.sas.fhir.contextual;

/**
 * Where the patient is, as the contextual search understood it.
 *
 * @param precision an {@code ADDRESS} (street-level position) or {@code COORDINATES} orders cards by distance;
 *     a {@code COMMUNE}, {@code POSTAL_CODE} or {@code DEPARTEMENT} is only an area, so cards are drawn in a
 *     neutral order
 * @param departement the département the place is in, whose default radius applies
 */
public record SearchPlace(GeoPoint point, double radiusKm, Precision precision, String departement, String description) {

	public enum Precision {
		ADDRESS,
		COORDINATES,
		COMMUNE,
		POSTAL_CODE,
		DEPARTEMENT;

		/** Whether distances from the point mean something to the patient. */
		public boolean ordersByDistance() {
			return this == ADDRESS || this == COORDINATES;
		}
	}
}
