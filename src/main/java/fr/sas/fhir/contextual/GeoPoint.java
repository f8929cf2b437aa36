package fr.sas.fhir.contextual;

/** A position in WGS 84 degrees, as {@code Location.position} carries it. */
public record GeoPoint(double latitude, double longitude) {

	private static final double EARTH_KM = 6371.0088;

	public GeoPoint {
		if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
			throw new IllegalArgumentException("latitude must be within [-90, 90] and longitude within [-180, 180]");
		}
	}

	/** Great-circle distance in kilometres (haversine). */
	public double distanceKm(GeoPoint other) {
		double la1 = Math.toRadians(latitude);
		double la2 = Math.toRadians(other.latitude);
		double dLa = la2 - la1;
		double dLo = Math.toRadians(other.longitude - longitude);
		double h = Math.sin(dLa / 2) * Math.sin(dLa / 2) + Math.cos(la1) * Math.cos(la2) * Math.sin(dLo / 2) * Math.sin(dLo / 2);
		return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
	}
}
