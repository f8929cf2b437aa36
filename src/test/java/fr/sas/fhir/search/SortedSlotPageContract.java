package fr.sas.fhir.search;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The analyst's sorted page of free slots ({@code Slot?status=free&start=ge..&_sort=start&_count=..}) answered from
 * the free-slot index ({@link SortedSlotPageInterceptor}), compared with HAPI's generic search on the same data
 * (header {@code X-Sas-Search-Path: hapi}): the total, the ordered starts, and the entries wherever no tie at one
 * start straddles the page's edges (HAPI orders by start only). On H2 and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SortedSlotPageContract {

	abstract FhirHttp fhir();

	@org.springframework.beans.factory.annotation.Autowired
	SortedFreeSlots sortedFreeSlots;

	private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
	private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
	private final Random random = new Random();
	private final String s = UUID.randomUUID().toString().substring(0, 8);
	/** A day years ahead, different at each run: the window holds this run's slots (and maybe a few of earlier runs). */
	private final OffsetDateTime base = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS)
			.plusDays(800 + random.nextInt(20_000)).plusHours(8);
	private final String rpps = "81" + digits(10);

	@BeforeAll
	void agendas() {
		List<Resource> graph = new ArrayList<>(List.of(
				practitioner("sp-" + s, rpps), practitionerRole("sr1-" + s, "sp-" + s), practitionerRole("sr2-" + s, "sp-" + s),
				practitionerRole("sr3-" + s, "sp-" + s),
				practitionerSchedule("sa-" + s, "sp-" + s, "sr1-" + s), practitionerSchedule("sb-" + s, "sp-" + s, "sr2-" + s),
				practitionerSchedule("sc-" + s, "sp-" + s, "sr3-" + s)));
		for (int i = 0; i < 10; i++) { // A: every 15 minutes from the base
			graph.add(slot("a" + i + "-" + s, "sa-" + s, base.plusMinutes(15L * i), 15));
		}
		for (int i = 0; i < 8; i++) { // B: every 20 minutes from base + 5 min
			graph.add(slot("b" + i + "-" + s, "sb-" + s, base.plusMinutes(5 + 20L * i), 20));
		}
		for (int i = 0; i < 4; i++) { // C: four slots at base + 30 min, as A's third: five at one start
			graph.add(slot("t" + i + "-" + s, "sc-" + s, base.plusMinutes(30), 15));
		}
		// at the bounds the searches below use: base + 3 h exactly, half a second and a second later
		graph.add(slot("e0-" + s, "sc-" + s, base.plusHours(3), 15));
		graph.add(slot("e1-" + s, "sc-" + s, base.plusHours(3).plusNanos(500_000_000), 15));
		graph.add(slot("e2-" + s, "sc-" + s, base.plusHours(3).plusSeconds(1), 15));
		graph.add(slot("e3-" + s, "sc-" + s, base.minusSeconds(1), 15));
		Response stored = fhir().putAll(graph);
		assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
	}

	@Test
	void everyWindowCountAndOffsetAnswersAsHapisGenericSearch() {
		String lo = base.format(SECONDS);
		String at3 = base.plusHours(3).format(SECONDS);
		List<String> windows = List.of(
				"start=ge" + lo + "&start=lt" + at3,
				"start=ge" + lo + "&start=le" + at3,
				"start=gt" + lo + "&start=lt" + base.plusHours(3).plusSeconds(1).format(SECONDS),
				"start=ge" + base.minusSeconds(1).format(SECONDS) + "&start=le" + base.plusHours(3).format(MILLIS),
				"start=lt" + base.plusHours(3).plusNanos(500_000_000).format(MILLIS) + "&start=gt" + base.plusMinutes(30).format(SECONDS),
				"start=ge" + base.plusHours(3).withOffsetSameInstant(ZoneOffset.ofHours(2)).format(SECONDS).replace("+", "%2B"),
				"start=ge" + lo);
		for (String window : windows) {
			for (String paging : List.of("&_count=50", "&_count=1", "&_count=5", "&_count=7&_offset=3", "&_count=4&_offset=12",
					"&_count=10&_offset=1000", "&_count=3&_total=accurate", "")) {
				compare("/Slot?status=free&" + window + "&_sort=start" + paging);
			}
		}
	}

	@Test
	void theNextLinksWalkTheWholeWindowOnceAndPageByOffset() {
		String url = "/Slot?status=free&start=ge" + base.format(SECONDS) + "&start=lt" + base.plusHours(3).format(SECONDS)
				+ "&_sort=start&_count=4";
		Bundle first = ok(url);
		assertThat(first.getTotal()).isEqualTo(22);
		assertThat(first.getLink("next").getUrl()).as("the fast path's stateless link").contains("_offset=4");
		assertThat(plain(url).getLink("next").getUrl()).as("HAPI's").contains("_getpages");
		List<String> all = new ArrayList<>(ids(first));
		Bundle page = first;
		while (page.getLink("next") != null) {
			page = ok(page.getLink("next").getUrl().substring(fhir().base().length()));
			assertThat(page.getTotal()).isEqualTo(22);
			all.addAll(ids(page));
		}
		assertThat(all).hasSize(22).doesNotHaveDuplicates();
		assertThat(starts(ok(url.replace("_count=4", "_count=50")))).isSorted();
	}

	@Test
	void writesBetweenSearchesShowInTheNextOne() {
		String url = "/Slot?status=free&start=ge" + base.plusHours(5).format(SECONDS) + "&start=lt"
				+ base.plusHours(6).format(SECONDS) + "&_sort=start&_count=50";
		List<Resource> more = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			more.add(slot("w" + i + "-" + s, "sb-" + s, base.plusHours(5).plusMinutes(10L * i), 10));
		}
		assertThat(fhir().putAll(more).status()).isEqualTo(200);
		assertThat(ids(compare(url))).containsExactly("w0-" + s, "w1-" + s, "w2-" + s, "w3-" + s);

		book("w1-" + s, base.plusHours(5).plusMinutes(10));
		assertThat(ids(compare(url))).containsExactly("w0-" + s, "w2-" + s, "w3-" + s);

		assertThat(fhir().delete("/Slot/w2-" + s).status()).isIn(200, 204);
		assertThat(ids(compare(url))).containsExactly("w0-" + s, "w3-" + s);

		assertThat(fhir().put("/Slot/w4-" + s, slot("w4-" + s, "sa-" + s, base.plusHours(5).plusMinutes(5), 10)).status())
				.isEqualTo(201);
		assertThat(ids(compare(url))).containsExactly("w0-" + s, "w4-" + s, "w3-" + s);

		// moved out of the window, and to another schedule
		assertThat(fhir().put("/Slot/w0-" + s, slot("w0-" + s, "sb-" + s, base.plusHours(7), 10)).status()).isEqualTo(200);
		assertThat(fhir().put("/Slot/w3-" + s, slot("w3-" + s, "sc-" + s, base.plusHours(5).plusMinutes(1), 10)).status())
				.isEqualTo(200);
		assertThat(ids(compare(url))).containsExactly("w3-" + s, "w4-" + s);

		// a schedule with only booked slots left, then deleted: the two paths still agree
		assertThat(fhir().putAll(List.of(practitionerRole("sr4-" + s, "sp-" + s), practitionerSchedule("sd-" + s, "sp-" + s, "sr4-" + s),
				slot("d0-" + s, "sd-" + s, base.plusHours(5).plusMinutes(2), 10))).status()).isEqualTo(200);
		assertThat(ids(compare(url))).containsExactly("w3-" + s, "d0-" + s, "w4-" + s);
		book("d0-" + s, base.plusHours(5).plusMinutes(2));
		fhir().delete("/Schedule/sd-" + s);
		assertThat(ids(compare(url))).containsExactly("w3-" + s, "w4-" + s);
	}

	@Test
	void withTooManyListsToReadHapiAnswersWhileTheyAreReadInTheBackground() {
		String url = "/Slot?status=free&start=ge" + base.plusHours(9).format(SECONDS) + "&start=lt"
				+ base.plusHours(10).format(SECONDS) + "&_sort=start&_count=1";
		// a schedule just written: its list is not kept
		assertThat(fhir().putAll(List.of(practitionerRole("sr5-" + s, "sp-" + s), practitionerSchedule("se-" + s, "sp-" + s, "sr5-" + s),
				slot("c0-" + s, "se-" + s, base.plusHours(9), 10), slot("c1-" + s, "se-" + s, base.plusHours(9).plusMinutes(10), 10)))
				.status()).isEqualTo(200);
		sortedFreeSlots.coldSchedules(0);
		try {
			Bundle cold = ok(url);
			assertThat(cold.getLink("next").getUrl()).as("HAPI's answer").contains("_getpages");
			assertThat(cold.getTotal()).isEqualTo(2);
			sortedFreeSlots.filling().join();
			Bundle warm = ok(url);
			assertThat(warm.getLink("next").getUrl()).as("the fast path's, once the lists are read").contains("_offset=1");
			assertThat(ids(warm)).containsExactly("c0-" + s);
			assertThat(warm.getTotal()).isEqualTo(2);
		} finally {
			sortedFreeSlots.coldSchedules(SortedFreeSlots.COLD_SCHEDULES);
		}
	}

	@Test
	void aSlotWhoseScheduleIsContainedSendsTheSortedPageToHapiUntilItIsDeleted() {
		String url = "/Slot?status=free&start=ge" + base.plusHours(11).format(SECONDS) + "&start=lt"
				+ base.plusHours(12).format(SECONDS) + "&_sort=start&_count=1";
		Response graph = fhir().putAll(List.of(practitionerRole("sr6-" + s, "sp-" + s), practitionerSchedule("sk-" + s, "sp-" + s, "sr6-" + s),
				slot("k0-" + s, "sk-" + s, base.plusHours(11), 10), slot("k2-" + s, "sk-" + s, base.plusHours(11).plusMinutes(40), 10),
				sosOrganization("ko-" + s, "3" + digits(14)), sosLocation("kl-" + s, "ko-" + s)));
		assertThat(graph.status()).as(graph.toString()).isEqualTo(200);
		assertThat(ok(url).getLink("next").getUrl()).as("the fast path's").contains("_offset=1");
		// an SOS Médecins slot whose Schedule is contained: the SOS profile accepts it, it links to no stored schedule
		Slot contained = sosSlot("k1-" + s, "unused", base.plusHours(11).plusMinutes(20), 10);
		Schedule schedule = sosSchedule("kc", "kl-" + s);
		schedule.setId("#kc");
		contained.addContained(schedule);
		contained.setSchedule(new Reference("#kc"));
		Response stored = fhir().put("/Slot/k1-" + s, contained);
		assertThat(stored.status()).as(stored.toString()).isEqualTo(201);

		Bundle withIt = ok(url);
		assertThat(withIt.getTotal()).as("HAPI counts it").isEqualTo(3);
		assertThat(withIt.getLink("next").getUrl()).as("HAPI's answer").contains("_getpages");

		assertThat(fhir().delete("/Slot/k1-" + s).status()).isEqualTo(200);
		Bundle without = compare(url);
		assertThat(without.getTotal()).isEqualTo(2);
		assertThat(without.getLink("next").getUrl()).as("the fast path's again").contains("_offset=1");
		assertThat(ids(without)).containsExactly("k0-" + s);
	}

	@Test
	void otherShapesAreHapisUnchanged() {
		String lo = base.format(SECONDS);
		for (String query : List.of(
				"status=free&start=ge" + lo + "&_sort=-start&_count=3",
				"status=free&start=ge" + lo + "&_sort=start&_count=3&_summary=data",
				"status=free&start=ge" + lo + "&_sort=start&_count=3&_include=Slot:schedule",
				"status=free&start=ge" + lo + "&_sort=start&_count=3&schedule=Schedule/sa-" + s,
				"status=busy&start=ge" + lo + "&_sort=start&_count=3",
				"status=free&start=ge" + base.toLocalDate() + "&_sort=start&_count=3",
				"status=free&start=ge" + lo + "&start=ge" + base.plusHours(1).format(SECONDS) + "&_sort=start&_count=3")) {
			Response answer = fhir().get("/Slot?" + query);
			Response hapi = fhir().get("/Slot?" + query, GuideSearchInterceptor.PATH_HEADER, "hapi");
			assertThat(answer.status()).as(query).isEqualTo(hapi.status());
			if (answer.status() != 200) {
				continue; // two lower bounds: HAPI's 400 (HAPI-1923) either way
			}
			Bundle bundle = answer.bundle();
			if (bundle.getTotal() > 3) {
				assertThat(bundle.getLink("next").getUrl()).as(query + ": HAPI's paging").contains("_getpages");
			}
			assertThat(bundle.getTotal()).as(query).isEqualTo(hapi.bundle().getTotal());
		}
	}

	/** Both paths' answers to one search: equal totals, equal ordered starts, equal entries unless a tie straddles an edge. */
	private Bundle compare(String url) {
		Bundle fast = ok(url);
		Bundle hapi = plain(url);
		assertThat(fast.getTotal()).as(url).isEqualTo(hapi.getTotal());
		assertThat(starts(fast)).as(url).isEqualTo(starts(hapi)).isSorted();
		assertThat(fast.getEntry()).allSatisfy(e -> {
			assertThat(e.getSearch().getMode()).isEqualTo(Bundle.SearchEntryMode.MATCH);
			assertThat(e.getFullUrl()).endsWith("/Slot/" + e.getResource().getIdElement().getIdPart());
			assertThat(((Slot) e.getResource()).getStatus()).isEqualTo(Slot.SlotStatus.FREE);
		});
		int offset = param(url, "_offset", 0);
		List<Long> around = neighbours(url, offset, fast.getEntry().size());
		List<Long> got = starts(fast);
		boolean straddles = !got.isEmpty() && ((around.get(0) != null && around.get(0).equals(got.get(0)))
				|| (around.get(1) != null && around.get(1).equals(got.get(got.size() - 1))));
		if (!straddles) {
			assertThat(keyed(fast)).as(url).isEqualTo(keyed(hapi));
		}
		if (!straddles && !got.isEmpty() && ids(fast).get(0).equals(ids(hapi).get(0))) {
			assertThat(FhirHttp.CTX.newJsonParser().encodeResourceToString(fast.getEntryFirstRep().getResource()))
					.isEqualTo(FhirHttp.CTX.newJsonParser().encodeResourceToString(hapi.getEntryFirstRep().getResource()));
		}
		return fast;
	}

	/** The starts just before and just after the page, in HAPI's full order (null at the ends). */
	private List<Long> neighbours(String url, int offset, int size) {
		String all = url.replaceAll("&_count=\\d+", "").replaceAll("&_offset=\\d+", "") + "&_count=1000";
		List<Long> starts = starts(plain(all));
		List<Long> around = new ArrayList<>();
		around.add(offset > 0 && offset - 1 < starts.size() ? starts.get(offset - 1) : null);
		around.add(offset + size < starts.size() ? starts.get(offset + size) : null);
		return around;
	}

	private static int param(String url, String name, int otherwise) {
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&]" + name + "=(\\d+)").matcher(url);
		return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
	}

	private static List<Long> starts(Bundle bundle) {
		return bundle.getEntry().stream().map(e -> ((Slot) e.getResource()).getStart().getTime()).toList();
	}

	private static List<String> ids(Bundle bundle) {
		return bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
	}

	/** "start id" of each entry, sorted: the page's content whatever the order of its ties. */
	private static List<String> keyed(Bundle bundle) {
		return bundle.getEntry().stream()
				.map(e -> ((Slot) e.getResource()).getStart().getTime() + " " + e.getResource().getIdElement().getIdPart())
				.sorted().toList();
	}

	private Bundle ok(String url) {
		Response response = fhir().get(url);
		assertThat(response.status()).as(url + " -> " + response).isEqualTo(200);
		return response.bundle();
	}

	private Bundle plain(String url) {
		Response response = fhir().get(url, GuideSearchInterceptor.PATH_HEADER, "hapi");
		assertThat(response.status()).as(url + " -> " + response).isEqualTo(200);
		return response.bundle();
	}

	private void book(String slotId, OffsetDateTime start) {
		Appointment a = appointment("x", UUID.randomUUID().toString(), rpps, start);
		a.setIdElement(null);
		a.addSlot(new Reference("Slot/" + slotId));
		Response response = fhir().post("/Appointment", a);
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	private String digits(int n) {
		StringBuilder b = new StringBuilder();
		for (int i = 0; i < n; i++) {
			b.append(random.nextInt(10));
		}
		return b.toString();
	}
}
