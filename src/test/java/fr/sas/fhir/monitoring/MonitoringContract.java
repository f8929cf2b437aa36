package fr.sas.fhir.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.publishers.CheckedAnswer;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublisherRegistry;
import fr.sas.fhir.publishers.UseCase;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PublisherStandIn;
import fr.sas.fhir.support.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.time.Instant;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import static org.awaitility.Awaitility.await;

import fr.sas.fhir.support.HeadlessChromium;
import org.junit.jupiter.api.AfterEach;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The monitoring: meters, rules and alerts, notices, views; run on the embedded default ({@link MonitoringTest}) and
 * on PostgreSQL ({@link PostgresMonitoringTest}), each in its suite's one context (nested there).
 */
abstract class MonitoringContract {

	static final String EMPTY_BUNDLE = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}";

	abstract FhirHttp fhir();

	abstract int port();

	/** Whether the status page is driven in headless Chromium here (once is enough: the page does not depend on the database). */
	boolean browser() {
		return true;
	}

	/** The suites' settings: the rules and the relay run when the tests say. */
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("sas.monitoring.enabled", () -> "true");
		registry.add("management.prometheus.metrics.export.enabled", () -> "true"); // Spring Boot tests turn exporters off
		registry.add("sas.monitoring.evaluate-every", () -> "1h"); // the tests evaluate when they choose
		registry.add("sas.monitoring.flush-every", () -> "1h");
		registry.add("sas.publishers.circuit-breaker.minimum-calls", () -> "1000"); // every call reaches the stand-ins
		registry.add("sas.monitoring.unreachable-for", () -> "2m");
		registry.add("sas.monitoring.close-after", () -> "2m");
		registry.add("sas.monitoring.relay.interval", () -> "1h");
		registry.add("sas.monitoring.relay.backoff", () -> "30s");
		registry.add("sas.monitoring.webhooks[0]", RECEIVER::url);
		registry.add("sas.monitoring.mail-to[0]", () -> "exploitation@sas.example.fr");
		registry.add("spring.mail.host", () -> "127.0.0.1");
		registry.add("spring.mail.port", () -> Integer.toString(SMTP.port()));
		registry.add("sas.monitoring.suspend-after", () -> "30m");
		registry.add("sas.monitoring.pushed-writes.lookback-hours", () -> "6"); // regular: slots in 4 of 6 hours
		registry.add("sas.monitoring.pushed-writes.regular-hours", () -> "4");
	}

	/** The same settings as a second node's arguments. */
	static String[] arguments() {
		java.util.List<String> arguments = new java.util.ArrayList<>();
		properties(new DynamicPropertyRegistry() {
			@Override
			public void add(String name, java.util.function.Supplier<Object> value) {
				arguments.add("--" + name + "=" + value.get());
			}
		});
		return arguments.toArray(String[]::new);
	}

	static final WebhookReceiver RECEIVER = new WebhookReceiver();
	static final SmtpStandIn SMTP = new SmtpStandIn();
	/** Thursday 7 May 2026, 10:00 in Paris: Friday is a public holiday (8 May), then a weekend. */
	static final Instant THURSDAY = Instant.parse("2026-05-07T08:00:00Z");

	@Autowired
	RuleEvaluation evaluation;
	@Autowired
	NoticeRelay relay;
	@Autowired
	org.springframework.jdbc.core.JdbcTemplate jdbc;
	@Autowired
	AlertSeverities severities;

	String storedSeverity(String issueId) {
		return jdbc.queryForObject("SELECT SEVERITY FROM SAS_MONITORING_ALERT WHERE ISSUE_ID = ?", String.class, issueId);
	}

	static void at(Instant when) {
		TestClock.shift(Duration.between(Instant.now(), when));
	}

	List<Notice> webhookNotices(String issueId) {
		return relay.ofIssue(issueId).stream().filter(n -> n.getChannel().equals("webhook")).toList();
	}

	DetectedIssue issue(String id) {
		return fhir().get("/DetectedIssue/" + id).as(DetectedIssue.class);
	}

	List<DetectedIssue> alertsOf(PublisherEndpoint endpoint) {
		return fhir().get("/DetectedIssue?implicated=Endpoint/" + endpoint.id()).bundle().getEntry().stream()
				.map(e -> (DetectedIssue) e.getResource()).toList();
	}

	@Test
	void aPublisherGoingDownOpensOneBlockingAlertWithItsDeadlineAndItClosesWhenItRecovers() {
		try (PublisherStandIn standIn = PublisherStandIn.http(path -> PublisherStandIn.Answer.status(503))) {
			PublisherEndpoint endpoint = registered(standIn);
			at(THURSDAY);
			call(endpoint);
			call(endpoint);
			evaluation.evaluate();
			assertThat(alertsOf(endpoint)).as("failing for less than unreachable-for").isEmpty();

			at(THURSDAY.plusSeconds(150));
			call(endpoint);
			evaluation.evaluate();
			at(THURSDAY.plusSeconds(200));
			call(endpoint);
			evaluation.evaluate(); // still down: no second alert
			List<DetectedIssue> alerts = alertsOf(endpoint);
			assertThat(alerts).singleElement().satisfies(issue -> {
				assertThat(issue.getMeta().getProfile()).anyMatch(p -> p.getValue().equals(Alerts.PROFILE));
				assertThat(issue.getStatus()).isEqualTo(DetectedIssue.DetectedIssueStatus.PRELIMINARY);
				assertThat(issue.getSeverity()).isEqualTo(DetectedIssue.DetectedIssueSeverity.HIGH);
				assertThat(issue.getCode().getCodingFirstRep().getCode()).isEqualTo("unreachable");
				assertThat(issue.getImplicatedFirstRep().getReference()).isEqualTo("Endpoint/" + endpoint.id());
				assertThat(issue.getIdentifiedDateTimeType().getValue().toInstant()).isBetween(THURSDAY, THURSDAY.plusSeconds(200));
				// 2 working days: Friday 8 May (holiday), the weekend, Monday (1), Tuesday (2), at the time it opened
				Instant opened = issue.getIdentifiedDateTimeType().getValue().toInstant();
				assertThat(((DateTimeType) issue.getExtensionByUrl(Alerts.DEADLINE).getValue()).getValue().toInstant())
						.isEqualTo(opened.plus(Duration.ofDays(5)));
				assertThat(issue.getEvidence()).anyMatch(e -> e.getCodeFirstRep().getText().contains("HTTP 503")
						&& e.getCodeFirstRep().getText().contains(standIn.base()));
			});
			String id = alerts.get(0).getIdElement().getIdPart();
			assertThat(storedSeverity(id)).as("the table says the severity, for its readers (analytics)").isEqualTo("blocking");

			standIn.behave(path -> PublisherStandIn.Answer.json(EMPTY_BUNDLE));
			at(THURSDAY.plusSeconds(300));
			call(endpoint);
			evaluation.evaluate();
			assertThat(issue(id).getStatus()).as("recovered, not yet for close-after").isEqualTo(DetectedIssue.DetectedIssueStatus.PRELIMINARY);
			at(THURSDAY.plusSeconds(500));
			call(endpoint);
			evaluation.evaluate();
			DetectedIssue closed = issue(id);
			assertThat(closed.getStatus()).isEqualTo(DetectedIssue.DetectedIssueStatus.FINAL);
			assertThat(closed.getExtensionByUrl(Alerts.CLOSED)).isNotNull();
			assertThat(alertsOf(endpoint)).hasSize(1);

			relay.run();
			assertThat(RECEIVER.about(id)).extracting(d -> d.body().replaceAll(".*\"event\":\"([a-z]+)\".*", "$1"))
					.containsExactly("opened", "closed");
			relay.run();
			assertThat(RECEIVER.about(id)).hasSize(2);
			assertThat(SMTP.messages()).filteredOn(m -> m.contains("Endpoint/" + endpoint.id())).hasSize(2)
					.anyMatch(m -> m.contains("[SAS] blocking alert opened") && m.contains("exploitation@sas.example.fr"))
					.anyMatch(m -> m.contains("[SAS] blocking alert closed"));
		}
	}

	@Test
	void alertsStoredBeforeTheirSeverityGetTheirRulesSeverity() {
		String refused = "alert-before-" + UUID.randomUUID();
		String unknown = "alert-before-" + UUID.randomUUID();
		java.sql.Timestamp opened = java.sql.Timestamp.from(Instant.now());
		for (String[] row : List.of(new String[] {refused, "writes-refused"}, new String[] {unknown, "no-such-rule"})) {
			jdbc.update("INSERT INTO SAS_MONITORING_ALERT (ISSUE_ID, ENDPOINT, RULE_CODE, OPENED_AT, DEADLINE, CLOSED_AT)"
					+ " VALUES (?, 'before', ?, ?, ?, ?)", row[0], row[1], opened, opened, opened);
		}
		severities.afterSingletonsInstantiated(); // what each start does
		assertThat(storedSeverity(refused)).isEqualTo(AlertRule.WRITES_REFUSED.severity().code()).isEqualTo("major");
		assertThat(storedSeverity(unknown)).as("a rule this version does not know").isNull();
	}

	@Test
	void theWebhookReceiverDownThenUpGetsEveryEventOnce() {
		try (PublisherStandIn standIn = PublisherStandIn.http(path -> PublisherStandIn.Answer.hang())) {
			PublisherEndpoint endpoint = registered(standIn);
			RECEIVER.down(true);
			try {
				at(THURSDAY.plus(Duration.ofDays(30)));
				call(endpoint);
				at(THURSDAY.plus(Duration.ofDays(30)).plusSeconds(180));
				call(endpoint);
				evaluation.evaluate();
				DetectedIssue alert = alertsOf(endpoint).get(0);
				String id = alert.getIdElement().getIdPart();
				Response ack = fhir().post("/DetectedIssue/" + id + "/$acknowledge", "{\"resourceType\":\"Parameters\",\"parameter\":"
						+ "[{\"name\":\"note\",\"valueString\":\"éditeur prévenu\"}]}");
				assertThat(ack.status()).as(ack.toString()).isEqualTo(200);
				assertThat(ack.as(DetectedIssue.class).getMitigation()).anyMatch(m -> m.getAction().getText().contains("éditeur prévenu"));
				relay.run();
				relay.run();
				assertThat(RECEIVER.about(id)).isEmpty();
				// the first tried once (the second round waited for its back-off), the second waits behind it (order)
				assertThat(webhookNotices(id)).extracting(Notice::getState).containsExactly(Notice.State.PENDING, Notice.State.PENDING);
				assertThat(webhookNotices(id)).extracting(Notice::getAttempts).containsExactly(1, 0);
				RECEIVER.down(false);
				at(THURSDAY.plus(Duration.ofDays(30)).plusSeconds(600)); // past the back-off
				relay.run();
				relay.run();
				assertThat(RECEIVER.about(id)).extracting(d -> d.body().replaceAll(".*\"event\":\"([a-z]+)\".*", "$1"))
						.containsExactly("opened", "acknowledged");
				assertThat(RECEIVER.about(id)).extracting(WebhookReceiver.Delivery::notice).doesNotHaveDuplicates();
				assertThat(relay.ofIssue(id)).hasSize(4).allSatisfy(n -> assertThat(n.getState()).isEqualTo(Notice.State.SENT));

				Parameters status = fhir().get("/Endpoint/" + endpoint.id() + "/$status").as(Parameters.class);
				assertThat(status.getParameter("lastHour").getPart()).anyMatch(p -> p.getName().equals("timeouts")
						&& ((IntegerType) p.getValue()).getValue() == 2);
				assertThat(status.getParameters("alert")).singleElement().satisfies(a -> {
					assertThat(a.getPart()).anyMatch(p -> p.getName().equals("severity") && p.getValue().primitiveValue().equals("blocking"));
					assertThat(a.getPart()).anyMatch(p -> p.getName().equals("acknowledged") && p.getValue().primitiveValue().equals("true"));
					assertThat(a.getPart()).anyMatch(p -> p.getName().equals("deadline"));
				});
			} finally {
				RECEIVER.down(false);
			}
		}
	}

	@Autowired
	PublisherClient client;
	@Autowired
	PublisherRegistry registry;

	/**
	 * Every notice delivered before the next test: the tests travel in time, and a receiver's notices wait behind its
	 * oldest pending one (order per receiver), which a test in the past would otherwise see in its future.
	 */
	@AfterEach
	void deliverEverythingAndResetTheClock() {
		RECEIVER.down(false);
		at(Instant.now().plus(Duration.ofDays(400)));
		relay.run();
		TestClock.reset();
	}

	static Endpoint endpoint(String base) {
		Endpoint endpoint = new Endpoint();
		endpoint.setId("mon-" + UUID.randomUUID().toString().substring(0, 8));
		endpoint.getMeta().addProfile(PublisherEndpoint.PROFILE);
		endpoint.addExtension(PublisherEndpoint.USE_CASE, new org.hl7.fhir.r4.model.CodeType("individual"));
		endpoint.addExtension(PublisherEndpoint.ENVIRONMENT, new org.hl7.fhir.r4.model.CodeType("recette"));
		endpoint.addExtension(PublisherEndpoint.TIME_BUDGET, new org.hl7.fhir.r4.model.Duration()
				.setValue(1).setUnit("s").setSystem("http://unitsofmeasure.org").setCode("s"));
		endpoint.setStatus(Endpoint.EndpointStatus.ACTIVE);
		endpoint.getConnectionType().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-connection-type").setCode("hl7-fhir-rest");
		endpoint.setName("Éditeur " + endpoint.getIdElement().getIdPart());
		endpoint.addPayloadType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-payload-type").setCode("any");
		endpoint.setAddress(base);
		return endpoint;
	}

	PublisherEndpoint registered(PublisherStandIn standIn) {
		Endpoint endpoint = endpoint(standIn.base());
		Response put = fhir().put("/Endpoint/" + endpoint.getIdElement().getIdPart(), endpoint);
		assertThat(put.status()).as(put.toString()).isIn(200, 201);
		return registry.byId(endpoint.getIdElement().getIdPart()).orElseThrow();
	}

	PublisherCall call(PublisherEndpoint endpoint) {
		return client.get(endpoint, UseCase.INDIVIDUAL, "Slot?status=free", endpoint.timeBudget()).join();
	}

	String scrape() {
		Response scrape = new fr.sas.fhir.support.FhirHttp("http://localhost:" + port(), "text/plain").get("/actuator/prometheus");
		assertThat(scrape.status()).as(scrape.toString()).isEqualTo(200);
		return scrape.body();
	}

	static double value(String line) {
		return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
	}

	static List<String> lines(String scrape, String metric, String... labels) {
		return scrape.lines().filter(l -> l.startsWith(metric + "{") && List.of(labels).stream().allMatch(l::contains)).toList();
	}

	@Test
	void thePublishersCallsAndTheServersRequestsAreScrapedWithTheirTags() {
		try (PublisherStandIn good = PublisherStandIn.http(path -> PublisherStandIn.Answer.json(EMPTY_BUNDLE));
				PublisherStandIn failing = PublisherStandIn.http(path -> PublisherStandIn.Answer.status(503))) {
			PublisherEndpoint ok = registered(good);
			PublisherEndpoint ko = registered(failing);
			PublisherCall answered = call(ok);
			call(ok);
			call(ko);
			client.tell(new CheckedAnswer(answered, null, 3, Map.of("SAS-aggregator-window", 2), List.of("Slot/1: ended"), 0));
			assertThat(fhir().get("/Slot?status=free&_count=1").status()).isEqualTo(200);

			String scrape = scrape();
			String endpoint = "endpoint=\"" + ok.id() + "\"";
			assertThat(lines(scrape, "sas_publisher_calls_seconds_count", endpoint, "outcome=\"answered\"", "use_case=\"individual\""))
					.as(String.join("\n", scrape.lines().filter(l -> l.contains(ok.id())).toList())).singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(2.0));
			assertThat(lines(scrape, "sas_publisher_calls_seconds_bucket", endpoint)).isNotEmpty();
			assertThat(lines(scrape, "sas_publisher_http_errors_total", "endpoint=\"" + ko.id() + "\"", "status=\"503\""))
					.singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(1.0));
			assertThat(lines(scrape, "sas_publisher_entries_dropped_total", endpoint, "rule=\"SAS-aggregator-window\""))
					.singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(2.0));
			assertThat(lines(scrape, "sas_publisher_answers_total", endpoint, "result=\"empty\"")).hasSize(1);
			assertThat(lines(scrape, "sas_publisher_breaker_state", endpoint)).singleElement()
					.satisfies(l -> assertThat(value(l)).isEqualTo(0.0));
			assertThat(lines(scrape, "sas_fhir_requests_seconds_count", "interaction=\"search-type\"", "resource=\"Slot\"",
					"status=\"200\"")).isNotEmpty();
			assertThat(lines(scrape, "sas_fhir_writes_total", "resource=\"Endpoint\"", "result=\"accepted\"")).isNotEmpty();
			assertThat(lines(scrape, "sas_lrm_outbox", "state=\"pending\"")).isNotEmpty();
			assertThat(scrape).contains("hikaricp_connections_active");
		}
	}

	@Autowired
	CallWindow window;

	@Test
	void aMinutesFiguresAddUpAcrossFlushesInItsOneRow() {
		try (PublisherStandIn standIn = PublisherStandIn.http(path -> PublisherStandIn.Answer.json(EMPTY_BUNDLE))) {
			PublisherEndpoint endpoint = registered(standIn);
			Instant minute = Instant.parse("2026-12-07T09:30:00Z");
			window.called(new PublisherCall(endpoint, UseCase.INDIVIDUAL, "Slot?a", minute.plusSeconds(5), Duration.ofMillis(40),
					fr.sas.fhir.publishers.CallOutcome.ANSWERED, 200, "application/fhir+json", new byte[0], null, null, "HTTP/1.1"));
			window.flush();
			window.called(new PublisherCall(endpoint, UseCase.INDIVIDUAL, "Slot?b", minute.plusSeconds(50), Duration.ofMillis(4000),
					fr.sas.fhir.publishers.CallOutcome.TIMEOUT, 0, null, null, "no answer within 4 s", null, "HTTP/1.1"));
			window.flush();

			List<CallMinute> rows = window.since(minute).stream().filter(r -> r.getEndpoint().equals(endpoint.id())).toList();
			assertThat(rows).singleElement().satisfies(row -> {
				MinuteFigures figures = row.figures();
				assertThat(figures.calls).isEqualTo(2);
				assertThat(figures.answered).isEqualTo(1);
				assertThat(figures.timeouts).isEqualTo(1);
				assertThat(figures.failures).isEqualTo(1);
				assertThat(figures.elapsedMillis).isEqualTo(4040);
				assertThat(figures.latencies[Latencies.bucket(40)]).isEqualTo(1);
				assertThat(figures.latencies[Latencies.bucket(4000)]).isEqualTo(1);
				assertThat(figures.lastError).contains("GET Slot?b");
			});
		}
	}

	@Test
	void aRefusedWriteIsCountedByItsRule() {
		Endpoint bad = endpoint("ftp://example.org/fhir");
		Response put = fhir().put("/Endpoint/" + bad.getIdElement().getIdPart(), bad);
		assertThat(put.status()).isEqualTo(422);
		assertThat(lines(scrape(), "sas_fhir_writes_total", "resource=\"Endpoint\"", "result=\"refused\"", "rule=\"SAS-endpoint\""))
				.isNotEmpty();
	}

	@Test
	void theStatusPageShowsAnAlertWithinAMinuteOfAPublisherGoingDown() {
		org.junit.jupiter.api.Assumptions.assumeTrue(browser(), "the status page is driven on the embedded default");
		try (PublisherStandIn standIn = PublisherStandIn.http(path -> PublisherStandIn.Answer.json(EMPTY_BUNDLE));
				HeadlessChromium chromium = HeadlessChromium.start()) {
			PublisherEndpoint endpoint = registered(standIn);
			Instant start = THURSDAY.plus(Duration.ofDays(60));
			at(start);
			call(endpoint);
			chromium.driver().get("http://localhost:" + port() + "/status?refresh=2");
			By itsAlert = By.cssSelector("tr.alert[data-endpoint='Endpoint/" + endpoint.id() + "']");
			await().atMost(Duration.ofSeconds(30)).alias("the page's endpoints").until(() -> {
				if (!chromium.driver().findElements(By.cssSelector("tr.endpoint")).isEmpty()) {
					return true;
				}
				System.err.println("status page: error '" + chromium.driver().findElement(By.id("error")).getText() + "', console "
						+ chromium.consoleErrors());
				return false;
			});
			assertThat(chromium.driver().findElements(itsAlert)).isEmpty();

			standIn.behave(path -> PublisherStandIn.Answer.status(502)); // down: the scheduled turns, on the test's clock
			at(start.plusSeconds(60));
			call(endpoint);
			at(start.plusSeconds(200));
			call(endpoint);
			evaluation.evaluate();
			long shown = System.nanoTime();
			await().atMost(Duration.ofSeconds(60)).until(() -> !chromium.driver().findElements(itsAlert).isEmpty());
			assertThat(Duration.ofNanos(System.nanoTime() - shown)).isLessThan(Duration.ofMinutes(1));
			WebElement row = chromium.driver().findElement(itsAlert);
			assertThat(row.getText()).contains("blocking").contains("unreachable");

			Pusher pusher = new Pusher(); // a publisher's pushed slots: one accepted, one refused (no schedule)
			pusher.pushSlot();
			org.hl7.fhir.r4.model.Slot bad = fr.sas.fhir.support.SasTestData.slot(pusher.code + "-bad", pusher.code,
					java.time.OffsetDateTime.ofInstant(start.plus(Duration.ofDays(1)), java.time.ZoneOffset.UTC), 20);
			bad.setSchedule(null);
			String rule = refusedRule(pusher.as().put("/Slot/" + pusher.code + "-bad", bad));
			By itsWrites = By.cssSelector("tr.endpoint[data-endpoint='Endpoint/" + pusher.endpoint.id() + "'] td.writes-hour");
			await().atMost(Duration.ofSeconds(30)).until(() -> chromium.driver().findElements(itsWrites).stream()
					.anyMatch(td -> td.getText().equals("1 acceptés, 1 refusés (" + rule + " 1)")));
			assertThat(chromium.consoleErrors()).isEmpty();
			chromium.screenshot("status-page-with-an-alert");
		}
	}

	@Test
	void aBlockingAlertOpenTooLongSuspendsItsEndpointAndSaysSo() {
		try (PublisherStandIn standIn = PublisherStandIn.http(path -> PublisherStandIn.Answer.status(500))) {
			PublisherEndpoint endpoint = registered(standIn);
			Instant start = THURSDAY.plus(Duration.ofDays(90));
			at(start);
			call(endpoint);
			at(start.plusSeconds(180));
			call(endpoint);
			evaluation.evaluate();
			String id = alertsOf(endpoint).get(0).getIdElement().getIdPart();
			at(start.plus(Duration.ofMinutes(20)));
			call(endpoint);
			evaluation.evaluate();
			assertThat(fhir().get("/Endpoint/" + endpoint.id()).as(Endpoint.class).getStatus()).as("before suspend-after")
					.isEqualTo(Endpoint.EndpointStatus.ACTIVE);
			at(start.plus(Duration.ofMinutes(34)));
			call(endpoint);
			evaluation.evaluate();
			assertThat(fhir().get("/Endpoint/" + endpoint.id()).as(Endpoint.class).getStatus()).isEqualTo(Endpoint.EndpointStatus.SUSPENDED);
			assertThat(registry.byId(endpoint.id()).orElseThrow().callable(start.plus(Duration.ofMinutes(34)))).isFalse();
			DetectedIssue issue = issue(id);
			assertThat(issue.getExtensionByUrl(Alerts.SUSPENDED)).isNotNull();
			assertThat(issue.getStatus()).as("still open: reactivation is an operator's act").isEqualTo(DetectedIssue.DetectedIssueStatus.PRELIMINARY);
			assertThat(webhookNotices(id)).extracting(Notice::getEvent).containsExactly("opened", "suspended");
			evaluation.evaluate(); // suspended: not judged, not suspended again
			assertThat(webhookNotices(id)).hasSize(2);
		}
	}

	@Autowired
	java.time.Clock clock;

	/** A publisher (its client id) pushing slots, and an Endpoint of the registry standing for it. */
	final class Pusher {
		final String code = "push-" + UUID.randomUUID().toString().substring(0, 8);
		final String rpps = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
		final PublisherEndpoint endpoint;
		int slots;

		Pusher() {
			Endpoint resource = endpoint("http://127.0.0.1:9/fhir"); // never called: a publisher that pushes
			resource.getManagingOrganization().setDisplay(code);
			Response put = fhir().put("/Endpoint/" + resource.getIdElement().getIdPart(), resource);
			assertThat(put.status()).as(put.toString()).isIn(200, 201);
			endpoint = registry.byId(resource.getIdElement().getIdPart()).orElseThrow();
			written(as().put("/Practitioner/" + code, fr.sas.fhir.support.SasTestData.practitioner(code, rpps)));
			written(as().put("/PractitionerRole/" + code, fr.sas.fhir.support.SasTestData.practitionerRole(code, code)));
			written(as().put("/Schedule/" + code, fr.sas.fhir.support.SasTestData.practitionerSchedule(code, code, code)));
		}

		fr.sas.fhir.support.FhirHttp as() {
			return fhir().with(fr.sas.fhir.support.ServerTestBase.PUBLISHER_HEADER, code);
		}

		/** One new slot, a day after the server's now. */
		void pushSlot() {
			String id = code + "-" + ++slots;
			java.time.OffsetDateTime start = java.time.OffsetDateTime.ofInstant(
					clock.instant().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.HOURS), java.time.ZoneOffset.UTC);
			written(as().put("/Slot/" + id, fr.sas.fhir.support.SasTestData.slot(id, code, start, 20)));
		}

		private void written(Response response) {
			assertThat(response.status()).as(response.toString()).isIn(200, 201);
		}
	}

	@Test
	void aRegularPublisherWhosePushedSlotsStopArrivingGetsOneMajorAlertThatClosesWhenTheyResume() {
		Instant start = THURSDAY.plus(Duration.ofDays(150));
		at(start);
		Pusher regular = new Pusher();
		Pusher occasional = new Pusher();
		for (int h = 0; h <= 4; h++) { // 5 hours with slots written: regular (4 of 6)
			at(start.plus(Duration.ofHours(h)));
			regular.pushSlot();
			if (h < 2) {
				occasional.pushSlot(); // 2 hours: not regular
			}
		}
		Instant lastWrite = start.plus(Duration.ofHours(4));

		at(lastWrite.plus(Duration.ofMinutes(90)));
		evaluation.evaluate();
		assertThat(alertsOf(regular.endpoint)).as("silent for less than stopped-after (2 h)").isEmpty();

		at(lastWrite.plus(Duration.ofMinutes(125)));
		evaluation.evaluate();
		evaluation.evaluate(); // still silent: no second alert
		List<DetectedIssue> alerts = alertsOf(regular.endpoint);
		assertThat(alerts).singleElement().satisfies(issue -> {
			assertThat(issue.getStatus()).isEqualTo(DetectedIssue.DetectedIssueStatus.PRELIMINARY);
			assertThat(issue.getCode().getCodingFirstRep().getCode()).isEqualTo("writes-stopped");
			assertThat(issue.getSeverity()).isEqualTo(DetectedIssue.DetectedIssueSeverity.MODERATE);
			assertThat(issue.getImplicatedFirstRep().getReference()).isEqualTo("Endpoint/" + regular.endpoint.id());
			assertThat(issue.getExtensionByUrl(Alerts.DEADLINE)).isNotNull();
			assertThat(issue.getEvidenceFirstRep().getCodeFirstRep().getText())
					.contains("aucun créneau écrit depuis " + lastWrite.toString().substring(0, 16)) // the last write's minute
					.contains("rythme habituel 0,8 écritures de créneaux par heure") // 5 writes in the 6 hours up to it
					.contains("des créneaux écrits dans 5 d'entre elles");
		});
		assertThat(alertsOf(occasional.endpoint)).as("never wrote regularly").isEmpty();

		String id = alerts.get(0).getIdElement().getIdPart();
		at(lastWrite.plus(Duration.ofMinutes(180)));
		regular.pushSlot();
		evaluation.evaluate();
		assertThat(issue(id).getStatus()).as("writing again, not yet for close-after").isEqualTo(DetectedIssue.DetectedIssueStatus.PRELIMINARY);
		at(lastWrite.plus(Duration.ofMinutes(184)));
		evaluation.evaluate();
		assertThat(issue(id).getStatus()).isEqualTo(DetectedIssue.DetectedIssueStatus.FINAL);
		assertThat(issue(id).getExtensionByUrl(Alerts.CLOSED)).isNotNull();
		assertThat(alertsOf(regular.endpoint)).hasSize(1);
	}

	@Test
	void aPublisherWhosePushedSlotsAreMostlyRefusedGetsOneMajorAlertNamingTheRuleCodesAndASample() {
		Instant start = THURSDAY.plus(Duration.ofDays(200));
		at(start);
		Pusher owner = new Pusher();
		owner.pushSlot();
		Pusher refused = new Pusher();
		refused.pushSlot();
		String othersSlot = owner.code + "-1";
		java.time.OffsetDateTime tomorrow = java.time.OffsetDateTime.ofInstant(start.plus(Duration.ofDays(1)), java.time.ZoneOffset.UTC);
		String ownership = null;
		for (int i = 0; i < 12; i++) { // another publisher's slot: refused by the ownership rule
			ownership = refusedRule(refused.as().put("/Slot/" + othersSlot, fr.sas.fhir.support.SasTestData.slot(othersSlot,
					refused.code, tomorrow, 20)));
		}
		String profile = null;
		for (int i = 0; i < 3; i++) { // a slot without its schedule
			org.hl7.fhir.r4.model.Slot slot = fr.sas.fhir.support.SasTestData.slot(refused.code + "-bad-" + i, refused.code, tomorrow, 20);
			slot.setSchedule(null);
			profile = refusedRule(refused.as().put("/Slot/" + refused.code + "-bad-" + i, slot));
		}
		assertThat(profile).isNotEqualTo(ownership);
		List<org.hl7.fhir.r4.model.Slot> badOnes = new java.util.ArrayList<>();
		for (int i = 3; i < 5; i++) { // a transaction of two such slots: refused whole, both counted
			org.hl7.fhir.r4.model.Slot slot = fr.sas.fhir.support.SasTestData.slot(refused.code + "-bad-" + i, refused.code, tomorrow, 20);
			slot.setSchedule(null);
			badOnes.add(slot);
		}
		String inTransaction = refusedRule(refused.as().putAll(badOnes));
		Map<String, Long> byRule = new java.util.HashMap<>(Map.of(ownership, 12L));
		byRule.merge(profile, 3L, Long::sum);
		byRule.merge(inTransaction, 2L, Long::sum);

		String scrape = scrape();
		String publisher = "publisher=\"" + refused.code + "\"";
		byRule.forEach((rule, count) -> assertThat(lines(scrape, "sas_publisher_slot_writes_total", publisher, "result=\"refused\"",
				"rule=\"" + rule + "\"")).as(rule).singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(count.doubleValue())));
		assertThat(lines(scrape, "sas_publisher_slot_writes_total", publisher, "result=\"accepted\""))
				.singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(1.0));

		at(start.plus(Duration.ofMinutes(10)));
		evaluation.evaluate();
		evaluation.evaluate(); // still refused: no second alert
		List<DetectedIssue> alerts = alertsOf(refused.endpoint);
		List<String> countsByRule = byRule.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
		assertThat(alerts).singleElement().satisfies(issue -> {
			assertThat(issue.getCode().getCodingFirstRep().getCode()).isEqualTo("writes-refused");
			assertThat(issue.getSeverity()).isEqualTo(DetectedIssue.DetectedIssueSeverity.MODERATE);
			assertThat(issue.getEvidence().get(0).getCodeFirstRep().getText())
					.contains("17 écritures de créneaux refusées sur 18").contains(countsByRule);
			assertThat(issue.getEvidence().get(1).getCodeFirstRep().getText()).startsWith("dernier refus (" + inTransaction)
					.contains("POST [base] → 4");
		});
		assertThat(alertsOf(owner.endpoint)).as("its writes were accepted").isEmpty();

		Parameters status = fhir().get("/Endpoint/" + refused.endpoint.id() + "/$status").as(Parameters.class);
		for (String period : List.of("lastHour", "lastDay")) {
			List<Parameters.ParametersParameterComponent> parts = status.getParameter(period).getPart();
			assertThat(parts).anyMatch(p -> p.getName().equals("slotWritesAccepted") && ((IntegerType) p.getValue()).getValue() == 1);
			assertThat(parts).anyMatch(p -> p.getName().equals("slotWritesRefused") && ((IntegerType) p.getValue()).getValue() == 17);
			assertThat(parts).filteredOn(p -> p.getName().equals("slotWritesRefusedByRule"))
					.extracting(p -> p.getPart().get(0).getValue().primitiveValue() + " " + p.getPart().get(1).getValue().primitiveValue())
					.first().isEqualTo(ownership + " 12"); // the most frequent first
			assertThat(parts).filteredOn(p -> p.getName().equals("slotWritesRefusedByRule"))
					.extracting(p -> p.getPart().get(0).getValue().primitiveValue() + " " + p.getPart().get(1).getValue().primitiveValue())
					.containsExactlyInAnyOrderElementsOf(countsByRule);
		}

		String id = alerts.get(0).getIdElement().getIdPart();
		at(start.plus(Duration.ofMinutes(130))); // the refusals' hour is out of the window; accepted writes since
		for (int i = 0; i < 10; i++) {
			refused.pushSlot();
		}
		evaluation.evaluate();
		at(start.plus(Duration.ofMinutes(133)));
		evaluation.evaluate();
		assertThat(issue(id).getStatus()).isEqualTo(DetectedIssue.DetectedIssueStatus.FINAL);
	}

	@Test
	void aSlotRefusedInsideABatchIsCountedByTheRuleItsEntryNames() {
		Instant start = THURSDAY.plus(Duration.ofDays(250));
		at(start);
		Pusher pusher = new Pusher();
		java.time.OffsetDateTime tomorrow = java.time.OffsetDateTime.ofInstant(start.plus(Duration.ofDays(1)), java.time.ZoneOffset.UTC);
		org.hl7.fhir.r4.model.Slot good = fr.sas.fhir.support.SasTestData.slot(pusher.code + "-good", pusher.code, tomorrow, 20);
		org.hl7.fhir.r4.model.Slot bad = fr.sas.fhir.support.SasTestData.slot(pusher.code + "-bad", pusher.code, tomorrow, 20);
		bad.setSchedule(null);
		Response alone = pusher.as().put("/Slot/" + bad.getIdElement().getIdPart(), bad); // alone: refused, counted
		String rule = refusedRule(alone);
		org.hl7.fhir.r4.model.Bundle batch = new org.hl7.fhir.r4.model.Bundle().setType(org.hl7.fhir.r4.model.Bundle.BundleType.BATCH);
		for (org.hl7.fhir.r4.model.Slot slot : List.of(good, bad)) {
			batch.addEntry().setResource(slot).getRequest().setMethod(org.hl7.fhir.r4.model.Bundle.HTTPVerb.PUT)
					.setUrl("Slot/" + slot.getIdElement().getIdPart());
		}
		Response answer = pusher.as().post("/", batch);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
		org.hl7.fhir.r4.model.Bundle entries = answer.as(org.hl7.fhir.r4.model.Bundle.class);
		assertThat(entries.getEntry().get(0).getResponse().getStatus()).startsWith("20");
		assertThat(entries.getEntry().get(1).getResponse().getStatus()).startsWith(String.valueOf(alone.status()));
		java.util.function.Function<org.hl7.fhir.r4.model.OperationOutcome, List<String>> said = o -> o.getIssue().stream()
				.map(i -> i.getSeverity() + " " + i.getExpression() + " " + i.getDetails().getCoding().stream()
						.map(c -> c.getSystem() + "|" + c.getCode()).toList()).toList();
		assertThat(said.apply((org.hl7.fhir.r4.model.OperationOutcome) entries.getEntry().get(1).getResponse().getOutcome()))
				.as("the refused entry's outcome names the element and the rule as the slot sent alone")
				.isEqualTo(said.apply(alone.as(org.hl7.fhir.r4.model.OperationOutcome.class))).isNotEmpty();

		String scrape = scrape();
		String publisher = "publisher=\"" + pusher.code + "\"";
		assertThat(lines(scrape, "sas_publisher_slot_writes_total", publisher, "result=\"refused\"", "rule=\"" + rule + "\""))
				.as("the batch's refused entry counted for the rule its outcome names, as the same slot sent alone")
				.singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(2.0));
		assertThat(lines(scrape, "sas_publisher_slot_writes_total", publisher, "result=\"accepted\""))
				.singleElement().satisfies(l -> assertThat(value(l)).isEqualTo(1.0));
		Parameters status = fhir().get("/Endpoint/" + pusher.endpoint.id() + "/$status").as(Parameters.class);
		List<Parameters.ParametersParameterComponent> hour = status.getParameter("lastHour").getPart();
		assertThat(hour).anyMatch(p -> p.getName().equals("slotWritesAccepted") && ((IntegerType) p.getValue()).getValue() == 1);
		assertThat(hour).anyMatch(p -> p.getName().equals("slotWritesRefused") && ((IntegerType) p.getValue()).getValue() == 2);
	}

	/** The rule code a refused write's OperationOutcome names. */
	static String refusedRule(Response response) {
		assertThat(response.status()).as(response.toString()).isBetween(400, 499);
		return response.as(org.hl7.fhir.r4.model.OperationOutcome.class).getIssue().stream()
				.flatMap(i -> i.getDetails().getCoding().stream())
				.filter(c -> fr.sas.fhir.common.RuleViolations.RULE_SYSTEM.equals(c.getSystem())).map(c -> c.getCode())
				.findFirst().orElse("http-" + response.status());
	}
}
