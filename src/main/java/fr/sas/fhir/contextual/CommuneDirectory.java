package fr.sas.fhir.contextual;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every commune of France with its position, and every département with its default search radius: the offline
 * geocoder of the contextual search (no network by default). Read once from the reference tables shipped with
 * the server ({@code reference/communes.tsv}, {@code reference/departements.tsv}; sources and licences in
 * {@code reference/README.md}).
 */
public final class CommuneDirectory {

	private static final Pattern NOT_LETTERS = Pattern.compile("[^a-z0-9]+");
	private static final Pattern MARKS = Pattern.compile("\\p{M}+");

	private final Map<String, Commune> byInsee = new HashMap<>();
	private final Map<String, List<Commune>> byPostalCode = new HashMap<>();
	private final Map<String, List<Commune>> byName = new HashMap<>();
	private final Map<String, Departement> departements = new LinkedHashMap<>();
	private final List<Commune> current = new ArrayList<>();
	/** The current communes' coordinates, side by side: the nearest-commune scan reads memory in order. */
	private double[] latitudes;
	private double[] longitudes;

	public CommuneDirectory(InputStream communes, InputStream departementTable, Map<String, Double> radiusOverrides) {
		read(communes, fields -> {
			Commune commune = new Commune(fields[0], fields[1],
					fields[2].isEmpty() ? List.of() : List.of(fields[2].split(",")), fields[3],
					new GeoPoint(Double.parseDouble(fields[4]), Double.parseDouble(fields[5])), fields[6],
					Long.parseLong(fields[7]), fields[8]);
			byInsee.putIfAbsent(commune.insee(), commune);
			byName.computeIfAbsent(key(commune.name()), k -> new ArrayList<>()).add(commune);
			if (commune.isCurrent()) {
				current.add(commune);
				commune.postalCodes().forEach(cp -> byPostalCode.computeIfAbsent(cp, k -> new ArrayList<>()).add(commune));
			}
		});
		latitudes = current.stream().mapToDouble(c -> c.position().latitude()).toArray();
		longitudes = current.stream().mapToDouble(c -> c.position().longitude()).toArray();
		read(departementTable, fields -> {
			String code = fields[0];
			double radius = radiusOverrides.getOrDefault(code, Double.parseDouble(fields[5]));
			departements.put(code, new Departement(code, fields[1],
					new GeoPoint(Double.parseDouble(fields[2]), Double.parseDouble(fields[3])),
					Double.parseDouble(fields[4]), radius));
		});
	}

	/** The current commune (or arrondissement municipal) of an INSEE code; a former commune's code gives its commune. */
	public Optional<Commune> byInsee(String insee) {
		Commune found = insee == null ? null : byInsee.get(insee.trim().toUpperCase(Locale.ROOT));
		return Optional.ofNullable(found == null || found.isCurrent() ? found : byInsee.get(found.commune()));
	}

	public List<Commune> byPostalCode(String postalCode) {
		return postalCode == null ? List.of() : byPostalCode.getOrDefault(postalCode.trim(), List.of());
	}

	/**
	 * The commune of a postal address: the one of that postal code whose name (or former name) is the city's,
	 * the only commune of the postal code when the city is missing or unknown to it, or the city when the postal
	 * code is missing and the name names one commune.
	 */
	public Optional<Commune> resolve(String postalCode, String city) {
		List<Commune> ofCode = byPostalCode(postalCode);
		String name = city == null || city.isBlank() ? null : key(city);
		if (name != null) {
			List<Commune> named = byName.getOrDefault(name, List.of());
			for (Commune candidate : named) {
				Commune resolved = candidate.isCurrent() ? candidate : byInsee.get(candidate.commune());
				if (resolved != null && (ofCode.isEmpty() || ofCode.contains(resolved))) {
					if (!ofCode.isEmpty() || named.stream().map(c -> c.commune()).distinct().count() == 1) {
						return Optional.of(arrondissementOf(resolved, ofCode).orElse(resolved));
					}
				}
			}
		}
		if (ofCode.size() == 1) {
			return Optional.of(ofCode.get(0));
		}
		if (!ofCode.isEmpty() && name != null) {
			// Paris, Lyon, Marseille: the city's name with an arrondissement's postal code.
			return ofCode.stream().filter(c -> key(c.name()).startsWith(name)).findFirst();
		}
		return Optional.empty();
	}

	/** Paris, Lyon, Marseille: the arrondissement municipal of the postal code, more precise than the city. */
	private static Optional<Commune> arrondissementOf(Commune city, List<Commune> ofCode) {
		String prefix = key(city.name()) + " ";
		List<Commune> arrondissements = ofCode.stream().filter(c -> key(c.name()).startsWith(prefix)).toList();
		return arrondissements.size() == 1 ? Optional.of(arrondissements.get(0)) : Optional.empty();
	}

	/** The communes a city name alone may mean, most populous first. */
	public List<Commune> named(String city) {
		return byName.getOrDefault(key(city), List.of()).stream()
				.map(c -> c.isCurrent() ? c : byInsee.get(c.commune()))
				.distinct()
				.sorted(Comparator.comparingLong(Commune::population).reversed())
				.toList();
	}

	public Optional<Departement> departement(String code) {
		return code == null ? Optional.empty() : Optional.ofNullable(departements.get(code.trim().toUpperCase(Locale.ROOT)));
	}

	/** The département a position is in: that of the nearest commune. */
	public Departement departementOf(GeoPoint point) {
		int nearest = -1;
		double best = Double.MAX_VALUE;
		// Equirectangular squared distance: the same nearest commune as the great-circle distance at a commune's
		// scale, without a trigonometric call for each of the 35,000 communes.
		double cos = Math.cos(Math.toRadians(point.latitude()));
		double latitude = point.latitude();
		double longitude = point.longitude();
		for (int i = 0; i < latitudes.length; i++) {
			double dLat = latitudes[i] - latitude;
			double dLon = (longitudes[i] - longitude) * cos;
			double d = dLat * dLat + dLon * dLon;
			if (d < best) {
				best = d;
				nearest = i;
			}
		}
		return departements.get(current.get(nearest).departement());
	}

	public Collection<Departement> departements() {
		return departements.values();
	}

	public int size() {
		return current.size();
	}

	/** A name as addresses write it, compared without case, accents, punctuation or "saint" abbreviated. */
	static String key(String name) {
		String plain = MARKS.matcher(Normalizer.normalize(name.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)).replaceAll("");
		String words = NOT_LETTERS.matcher(plain).replaceAll(" ").trim();
		return Arrays.stream(words.split(" "))
				.map(w -> switch (w) {
					case "st" -> "saint";
					case "ste" -> "sainte";
					default -> w;
				})
				.reduce((a, b) -> a + " " + b).orElse("");
	}

	private static void read(InputStream table, java.util.function.Consumer<String[]> row) {
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(table, StandardCharsets.UTF_8))) {
			reader.readLine(); // header
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (!line.isBlank()) {
					row.accept(line.split("\t", -1));
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
