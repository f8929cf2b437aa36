package fr.sas.fhir.transmission;

import fr.sas.fhir.support.PostgresServerTest;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** INT_L02 on the PostgreSQL. */
class PostgresTransmissionTest extends PostgresServerTest implements TransmissionContract {

	private static final TransmissionSuite SUITE = new TransmissionSuite("pg");

	@BeforeAll
	static void requireBroker() {
		TransmissionSuite.requireBroker();
		SUITE.lrm();
	}

	@DynamicPropertySource
	static void transmission(DynamicPropertyRegistry registry) {
		SUITE.properties(registry);
	}

	@Override
	public LrmStandIn lrm() {
		return SUITE.lrm();
	}

	@Override
	public TcpProxy proxy() {
		return SUITE.proxy;
	}

	@Override
	public String samu(String departement) {
		return SUITE.samu(departement);
	}
}
