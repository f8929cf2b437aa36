package fr.sas.fhir.contextual;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The place of a contextual search, from the LRM deep link's parameters: {@code latitude} + {@code longitude}; or
 * an address ({@code streetnumber}, {@code streetname}, {@code city}, {@code postalcode}, {@code inseecode}); or a
 * {@code departement} alone, searched from its barycentre with a radius covering it. {@code radius} (km)
 * overrides the département's default. Anything unusable is refused naming the parameter.
 */
public final class PlaceResolver {

	static final double MAX_RADIUS_KM = 200;

	private final CommuneDirectory communes;
	private final AddressGeocoder geocoder;

	public PlaceResolver(CommuneDirectory communes, AddressGeocoder geocoder) {
		this.communes = communes;
		this.geocoder = geocoder;
	}

	/**
	 * @param notes receives what the caller should be told without refusing (a street the geocoder could not
	 *     place, a postal code that is not the commune's)
	 */
	public SearchPlace resolve(Map<String, String> p, Consumer<String> notes) {
		Double radius = radius(p.get("radius"));
		String latitude = p.get("latitude");
		String longitude = p.get("longitude");
		if (latitude != null || longitude != null) {
			GeoPoint point = coordinates(latitude, longitude);
			Departement departement = communes.departementOf(point);
			return new SearchPlace(point, radius != null ? radius : departement.defaultRadiusKm(),
					SearchPlace.Precision.COORDINATES, departement.code(), "coordinates " + latitude + "," + longitude);
		}
		Optional<Commune> commune = commune(p, notes);
		if (commune.isPresent()) {
			Commune c = commune.get();
			Departement departement = communes.departement(c.departement()).orElseThrow();
			double r = radius != null ? radius : departement.defaultRadiusKm();
			String street = street(p);
			if (street != null) {
				Optional<GeoPoint> located = geocoder.locate(street, c);
				if (located.isPresent()) {
					return new SearchPlace(located.get(), r, SearchPlace.Precision.ADDRESS, c.departement(),
							street + ", " + c.name());
				}
				notes.accept("the street '" + street + "' could not be placed; the search is around " + c.name()
						+ " (" + c.insee() + ") as a whole, in a neutral order");
			}
			return new SearchPlace(c.position(), r, SearchPlace.Precision.COMMUNE, c.departement(),
					c.name() + " (" + c.insee() + ")");
		}
		String postalCode = p.get("postalcode");
		if (postalCode != null) {
			List<Commune> ofCode = communes.byPostalCode(postalCode);
			// A postal code shared by several communes, the city naming none of them: the postal area's centre.
			GeoPoint centre = new GeoPoint(ofCode.stream().mapToDouble(c -> c.position().latitude()).average().orElseThrow(),
					ofCode.stream().mapToDouble(c -> c.position().longitude()).average().orElseThrow());
			Departement departement = communes.departement(ofCode.get(0).departement()).orElseThrow();
			return new SearchPlace(centre, radius != null ? radius : departement.defaultRadiusKm(),
					SearchPlace.Precision.POSTAL_CODE, departement.code(), "postal code " + postalCode);
		}
		String code = p.get("departement");
		if (code != null) {
			Departement departement = communes.departement(code).orElseThrow(() -> ContextualRefusal.badParameter(
					"'" + code + "' is not a département code (01 to 95, 2A, 2B, 971 to 976)", "departement"));
			return new SearchPlace(departement.centre(), radius != null ? radius : departement.coverKm(),
					SearchPlace.Precision.DEPARTEMENT, departement.code(), departement.name());
		}
		throw ContextualRefusal.badParameter("the patient's place is required: an address (city, postalcode or inseecode, "
				+ "with streetnumber and streetname), latitude and longitude, or a departement",
				"city", "postalcode", "inseecode", "latitude", "longitude", "departement");
	}

	/** The commune named by inseecode, postalcode + city or city alone; empty when only a postal area is known. */
	private Optional<Commune> commune(Map<String, String> p, Consumer<String> notes) {
		String insee = p.get("inseecode");
		String postalCode = p.get("postalcode");
		String city = p.get("city");
		if (insee != null) {
			Commune c = communes.byInsee(insee).orElseThrow(() -> ContextualRefusal.badParameter(
					"'" + insee + "' is not the INSEE code of a commune", "inseecode"));
			if (postalCode != null && !c.postalCodes().contains(postalCode.trim())) {
				notes.accept("postal code " + postalCode + " is not one of " + c.name() + "'s (" + String.join(", ",
						c.postalCodes()) + "); the INSEE code " + c.insee() + " is used");
			}
			return Optional.of(c);
		}
		if (postalCode != null) {
			if (!postalCode.trim().matches("\\d{5}") || communes.byPostalCode(postalCode).isEmpty()) {
				throw ContextualRefusal.badParameter("'" + postalCode + "' is not the postal code of a commune", "postalcode");
			}
			return communes.resolve(postalCode, city);
		}
		if (city != null) {
			List<Commune> named = communes.named(city);
			if (named.isEmpty()) {
				throw ContextualRefusal.badParameter("no commune is named '" + city + "'", "city");
			}
			if (named.size() > 1) {
				throw ContextualRefusal.badParameter("'" + city + "' names " + named.size() + " communes ("
						+ String.join(", ", named.stream().limit(5).map(c -> c.name() + " " + c.insee()).toList())
						+ (named.size() > 5 ? ", ..." : "") + "); add postalcode or inseecode", "city");
			}
			return Optional.of(named.get(0));
		}
		return Optional.empty();
	}

	private static String street(Map<String, String> p) {
		String number = p.get("streetnumber");
		String name = p.get("streetname");
		if (name == null || name.isBlank()) {
			return null;
		}
		return (number == null || number.isBlank() ? "" : number.trim() + " ") + name.trim();
	}

	private static GeoPoint coordinates(String latitude, String longitude) {
		if (latitude == null || longitude == null) {
			throw ContextualRefusal.badParameter("latitude and longitude go together", latitude == null ? "latitude" : "longitude");
		}
		double lat = number(latitude, "latitude");
		double lon = number(longitude, "longitude");
		if (lat < -90 || lat > 90) {
			throw ContextualRefusal.badParameter("'" + latitude + "' is not a latitude (-90 to 90 degrees)", "latitude");
		}
		if (lon < -180 || lon > 180) {
			throw ContextualRefusal.badParameter("'" + longitude + "' is not a longitude (-180 to 180 degrees)", "longitude");
		}
		return new GeoPoint(lat, lon);
	}

	private static Double radius(String value) {
		if (value == null) {
			return null;
		}
		double km = number(value, "radius");
		if (!(km > 0 && km <= MAX_RADIUS_KM)) {
			throw ContextualRefusal.badParameter("a radius is more than 0 and at most " + (int) MAX_RADIUS_KM + " km", "radius");
		}
		return km;
	}

	private static double number(String value, String parameter) {
		try {
			double d = Double.parseDouble(value.trim());
			if (Double.isNaN(d) || Double.isInfinite(d)) {
				throw new NumberFormatException();
			}
			return d;
		} catch (NumberFormatException e) {
			throw ContextualRefusal.badParameter("'" + value + "' is not a number", parameter);
		}
	}
}
