package fr.sas.fhir.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fr.sas.fhir.support.PostgresServerTest;
import fr.sas.fhir.support.PublisherStandIn;
import fr.sas.fhir.support.SecondNode;
import java.time.Duration;
import java.util.List;
import org.hl7.fhir.r4.model.Endpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The aggregator on PostgreSQL, and two nodes on one database sharing the registry's suspensions and the routes. */
class PostgresAggregatorTest extends PostgresServerTest implements AggregatorContract {

	@Autowired
	AggregatorProperties aggregatorProperties;

	@DynamicPropertySource
	static void aggregator(DynamicPropertyRegistry registry) {
		AggregatorSuite.properties(registry);
	}

	@Override
	public AggregatorProperties aggregatorProperties() {
		return aggregatorProperties;
	}

	@Test
	void twoNodesShareSuspensionsAndLearntRoutes() {
		List<String> practitioners = List.of(AggregatorContract.rpps(), AggregatorContract.rpps());
		practitioners.forEach(p -> agenda(p, 1));
		List<PublisherStandIn> publishers = practitioners.stream().map(p -> owning(List.of(p))).toList();
		try (SecondNode second = SecondNode.start(AggregatorSuite.arguments())) {
			List<Endpoint> endpoints = publishers.stream().map(p -> registered(p)).toList();
			// Node one learns who answers for the first practitioner...
			search(List.of(practitioners.get(0)), DAY, DAY.plusDays(2));
			assertThat(publishers).allMatch(p -> p.calls() == 1);
			// ...and node two, once the route is written, sends that practitioner's search to its publisher only.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				int[] before = publishers.stream().mapToInt(PublisherStandIn::calls).toArray();
				second.bean(LearnedRoutes.class).forget();
				new fr.sas.fhir.support.RawHttp(second.fhir().base()).get(guideSearch(List.of(practitioners.get(0)),
						DAY.plusMinutes(before[0]), DAY.plusDays(2)), "Accept: application/fhir+json");
				assertThat(publishers.get(0).calls()).isEqualTo(before[0] + 1);
				assertThat(publishers.get(1).calls()).isEqualTo(before[1]);
			});
			// A suspension written through node one stops node two's calls at its next search.
			Endpoint first = endpoints.get(0);
			first.setStatus(Endpoint.EndpointStatus.SUSPENDED);
			registered(first);
			int calls = publishers.get(0).calls();
			new fr.sas.fhir.support.RawHttp(second.fhir().base()).get(guideSearch(List.of(practitioners.get(0)),
					DAY.plusMinutes(50), DAY.plusDays(2)), "Accept: application/fhir+json");
			assertThat(publishers.get(0).calls()).as("suspended on every node").isEqualTo(calls);
		} finally {
			publishers.forEach(PublisherStandIn::close);
		}
	}
}
