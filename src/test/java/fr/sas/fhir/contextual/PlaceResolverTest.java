package fr.sas.fhir.contextual;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;

/** The patient's place in each form of the LRM deep link, and each refusal naming its parameter. */
class PlaceResolverTest {

	private final PlaceResolver offline = new PlaceResolver(ReferenceTables.COMMUNES, AddressGeocoder.NONE);
	private final List<String> notes = new ArrayList<>();

	private SearchPlace resolve(PlaceResolver resolver, String... pairs) {
		Map<String, String> p = new HashMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			p.put(pairs[i], pairs[i + 1]);
		}
		return resolver.resolve(p, notes::add);
	}

	private static void refused(Runnable search, String parameter) {
		assertThatThrownBy(search::run).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
			OperationOutcome.OperationOutcomeIssueComponent issue = ((OperationOutcome) e.getOperationOutcome()).getIssueFirstRep();
			assertThat(issue.getExpression()).extracting(x -> x.getValue()).contains(parameter);
			assertThat(issue.getDetails().getCodingFirstRep().getCode()).isEqualTo(ContextualRefusal.PARAMETER);
		});
	}

	@Test
	void coordinatesAreAPointAndOrderByDistance() {
		SearchPlace place = resolve(offline, "latitude", "48.1173", "longitude", "-1.6778");
		assertThat(place.precision().ordersByDistance()).isTrue();
		assertThat(place.departement()).isEqualTo("35");
		assertThat(place.radiusKm()).isEqualTo(ReferenceTables.COMMUNES.departement("35").orElseThrow().defaultRadiusKm());
		assertThat(resolve(offline, "latitude", "48.1173", "longitude", "-1.6778", "radius", "3").radiusKm()).isEqualTo(3);
	}

	@Test
	void aCommuneIsAnAreaSearchedInANeutralOrder() {
		SearchPlace byInsee = resolve(offline, "inseecode", "35238");
		assertThat(byInsee.precision()).isEqualTo(SearchPlace.Precision.COMMUNE);
		assertThat(byInsee.precision().ordersByDistance()).isFalse();
		assertThat(resolve(offline, "postalcode", "35000", "city", "Rennes").point()).isEqualTo(byInsee.point());
		assertThat(resolve(offline, "city", "Rennes").point()).isEqualTo(byInsee.point());
		// Without a geocoder a street gives its commune, and the caller is told.
		SearchPlace street = resolve(offline, "streetnumber", "2", "streetname", "place du Parlement", "inseecode", "35238");
		assertThat(street.precision()).isEqualTo(SearchPlace.Precision.COMMUNE);
		assertThat(notes).anyMatch(n -> n.contains("could not be placed"));
	}

	@Test
	void aDepartementAloneIsSearchedFromItsBarycentreCoveringIt() {
		SearchPlace place = resolve(offline, "departement", "48");
		Departement lozere = ReferenceTables.COMMUNES.departement("48").orElseThrow();
		assertThat(place.precision()).isEqualTo(SearchPlace.Precision.DEPARTEMENT);
		assertThat(place.point()).isEqualTo(lozere.centre());
		assertThat(place.radiusKm()).isEqualTo(lozere.coverKm());
	}

	@Test
	void everyUnusablePlaceIsRefusedNamingItsParameter() {
		refused(() -> resolve(offline), "city");
		refused(() -> resolve(offline, "inseecode", "99999"), "inseecode");
		refused(() -> resolve(offline, "postalcode", "00000"), "postalcode");
		refused(() -> resolve(offline, "city", "Nulle-Part-sur-Rien"), "city");
		refused(() -> resolve(offline, "city", "Saint-Denis"), "city");
		refused(() -> resolve(offline, "departement", "99"), "departement");
		refused(() -> resolve(offline, "latitude", "91", "longitude", "2"), "latitude");
		refused(() -> resolve(offline, "latitude", "48", "longitude", "east"), "longitude");
		refused(() -> resolve(offline, "latitude", "48"), "longitude");
		refused(() -> resolve(offline, "inseecode", "35238", "radius", "0"), "radius");
	}

	@Test
	void theNationalAddressApiPlacesAStreetWhenEnabled() throws IOException {
		List<String> queries = new ArrayList<>();
		HttpServer ban = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		ban.createContext("/search", exchange -> {
			queries.add(exchange.getRequestURI().getRawQuery());
			boolean known = exchange.getRequestURI().getRawQuery().contains("Parlement");
			String body = known
					? "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
							+ "\"coordinates\":[-1.6789,48.1127]},\"properties\":{\"score\":0.93,\"type\":\"housenumber\",\"citycode\":\"35238\"}}]}"
					: "{\"type\":\"FeatureCollection\",\"features\":[]}";
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, bytes.length);
			exchange.getResponseBody().write(bytes);
			exchange.close();
		});
		ban.start();
		try {
			ContextualProperties.Ban settings = new ContextualProperties.Ban();
			settings.setEnabled(true);
			settings.setUrl("http://127.0.0.1:" + ban.getAddress().getPort() + "/search");
			settings.setTimeout(Duration.ofSeconds(5));
			PlaceResolver online = new PlaceResolver(ReferenceTables.COMMUNES, new BanGeocoder(settings));

			SearchPlace place = resolve(online, "streetnumber", "2", "streetname", "place du Parlement", "postalcode", "35000",
					"city", "Rennes");
			assertThat(place.precision()).isEqualTo(SearchPlace.Precision.ADDRESS);
			assertThat(place.point()).isEqualTo(new GeoPoint(48.1127, -1.6789));
			assertThat(queries.get(0)).contains("citycode=35238").contains("q=2+place+du+Parlement");

			SearchPlace unknown = resolve(online, "streetname", "rue Inconnue", "inseecode", "35238");
			assertThat(unknown.precision()).isEqualTo(SearchPlace.Precision.COMMUNE);
		} finally {
			ban.stop(0);
		}
		// A geocoder that does not answer never fails the search.
		ContextualProperties.Ban gone = new ContextualProperties.Ban();
		gone.setUrl("http://127.0.0.1:" + ban.getAddress().getPort() + "/search");
		gone.setTimeout(Duration.ofMillis(500));
		SearchPlace fallback = resolve(new PlaceResolver(ReferenceTables.COMMUNES, new BanGeocoder(gone)),
				"streetname", "place du Parlement", "inseecode", "35238");
		assertThat(fallback.precision()).isEqualTo(SearchPlace.Precision.COMMUNE);
	}
}
