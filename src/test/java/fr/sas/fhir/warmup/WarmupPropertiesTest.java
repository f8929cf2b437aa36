package fr.sas.fhir.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class WarmupPropertiesTest {

	@Test
	void unsetRequestsAre500WithoutAnAotCacheAnd100WithOne() {
		boolean cache = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
				.anyMatch(argument -> argument.startsWith("-XX:AOTCache="));
		assertThat(AotCache.inUse()).isEqualTo(cache);
		assertThat(new WarmupProperties().requestsToSend()).isEqualTo(cache ? 100 : 500);
	}

	@Test
	void requestsSetAreSentWhateverTheJvm() {
		WarmupProperties properties = new WarmupProperties();
		properties.setRequests(10);
		assertThat(properties.requestsToSend()).isEqualTo(10);
		properties.setRequests(0);
		assertThat(properties.requestsToSend()).isZero();
	}
}
