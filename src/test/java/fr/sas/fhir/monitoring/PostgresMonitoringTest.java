package fr.sas.fhir.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublisherRegistry;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresServerTest;
import fr.sas.fhir.support.PublisherStandIn;
import fr.sas.fhir.support.SecondNode;
import fr.sas.fhir.support.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The monitoring on PostgreSQL (its tables, the unique open key, the leases on a real database), in one context; and
 * two nodes on that database evaluating the rules and relaying the notices at the same time.
 */
class PostgresMonitoringTest extends PostgresServerTest {

	@DynamicPropertySource
	static void monitoring(DynamicPropertyRegistry registry) {
		MonitoringContract.properties(registry);
	}

	@Nested
	class OnPostgres extends MonitoringContract {
		@Override
		FhirHttp fhir() {
			return PostgresMonitoringTest.this.fhir();
		}

		@Override
		int port() {
			return port;
		}

		@Override
		boolean browser() {
			return false;
		}
	}

	@Autowired
	RuleEvaluation evaluation;
	@Autowired
	NoticeRelay relay;
	@Autowired
	CallWindow window;
	@Autowired
	PublisherRegistry registry;
	@Autowired
	fr.sas.fhir.publishers.PublisherClient client;

	@AfterEach
	void resetTheClock() {
		TestClock.reset();
	}

	@Test
	void twoNodesEvaluatingTheRulesTogetherOpenOneAlertAndTellTheWebhookOnce() throws Exception {
		try (PublisherStandIn standIn = PublisherStandIn.http(path -> PublisherStandIn.Answer.status(503));
				SecondNode second = SecondNode.start(MonitoringContract.arguments())) {
			org.hl7.fhir.r4.model.Endpoint resource = MonitoringContract.endpoint(standIn.base());
			assertThat(fhir().put("/Endpoint/" + resource.getIdElement().getIdPart(), resource).status()).isIn(200, 201);
			PublisherEndpoint endpoint = registry.byId(resource.getIdElement().getIdPart()).orElseThrow();
			Instant start = MonitoringContract.THURSDAY.plus(Duration.ofDays(250));
			MonitoringContract.at(start);
			client.get(endpoint, fr.sas.fhir.publishers.UseCase.INDIVIDUAL, "Slot?status=free", endpoint.timeBudget()).join();
			MonitoringContract.at(start.plusSeconds(180));
			client.get(endpoint, fr.sas.fhir.publishers.UseCase.INDIVIDUAL, "Slot?status=free", endpoint.timeBudget()).join();
			window.flush(); // node A's calls in the shared table, whichever node's turn comes first
			await().atMost(Duration.ofSeconds(30)).until(() -> second.bean(PublisherRegistry.class).byId(endpoint.id()).isPresent());

			List<Boolean> turns = together(evaluation::run, second.bean(RuleEvaluation.class)::run);
			assertThat(turns).as("at least one node had the turn").contains(true);
			together(evaluation::run, second.bean(RuleEvaluation.class)::run); // a second turn each: still one alert
			List<DetectedIssue> alerts = fhir().get("/DetectedIssue?implicated=Endpoint/" + endpoint.id()).bundle().getEntry().stream()
					.map(e -> (DetectedIssue) e.getResource()).toList();
			assertThat(alerts).singleElement().satisfies(a -> assertThat(a.getCode().getCodingFirstRep().getCode()).isEqualTo("unreachable"));
			String id = alerts.get(0).getIdElement().getIdPart();

			together(() -> { relay.run(); return true; }, () -> { second.bean(NoticeRelay.class).run(); return true; });
			together(() -> { relay.run(); return true; }, () -> { second.bean(NoticeRelay.class).run(); return true; });
			assertThat(MonitoringContract.RECEIVER.about(id)).as("told once, by one node").singleElement()
					.satisfies(d -> assertThat(d.body()).contains("\"event\":\"opened\""));
		}
	}

	/** Both jobs started at the same instant on two threads; their results. */
	private static List<Boolean> together(java.util.concurrent.Callable<Boolean> a, java.util.concurrent.Callable<Boolean> b)
			throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			CountDownLatch go = new CountDownLatch(1);
			Future<Boolean> first = threads.submit(() -> {
				go.await();
				return a.call();
			});
			Future<Boolean> second = threads.submit(() -> {
				go.await();
				return b.call();
			});
			go.countDown();
			return List.of(first.get(), second.get());
		} finally {
			threads.shutdownNow();
		}
	}
}
