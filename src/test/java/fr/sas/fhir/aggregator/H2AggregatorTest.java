package fr.sas.fhir.aggregator;

import fr.sas.fhir.support.H2ServerTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The aggregator on the embedded default. */
class H2AggregatorTest extends H2ServerTest implements AggregatorContract {

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
}
