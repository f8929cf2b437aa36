package fr.sas.fhir.transmission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What a transmission suite's context shares: the proxy to the machine's broker, the LRM stand-in, the names
 * (a sender and SAMU ids of its own, so the H2 and PostgreSQL suites never read each other's queues).
 */
final class TransmissionSuite {

	final String tag;
	final TcpProxy proxy;
	private LrmStandIn lrm;

	TransmissionSuite(String tag) {
		this.tag = tag;
		try {
			this.proxy = new TcpProxy(5672);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static void requireBroker() {
		try (Socket probe = new Socket("127.0.0.1", 5672)) {
			// reachable
		} catch (IOException e) {
			Assumptions.assumeTrue(false, "no RabbitMQ on 127.0.0.1:5672 (.ci/run starts it)");
		}
	}

	String sender() {
		return "fr.health.test.ptfsas." + tag;
	}

	String samu(String departement) {
		return "fr.health.samu" + departement + "0." + tag;
	}

	void properties(DynamicPropertyRegistry registry) {
		registry.add("sas.transmission.enabled", () -> "true");
		registry.add("sas.transmission.sender", this::sender);
		registry.add("sas.transmission.exchange", () -> "");
		registry.add("sas.transmission.routing-key", () -> "{recipient}.message");
		registry.add("sas.transmission.declare-queues", () -> "true");
		registry.add("sas.transmission.routes.35", () -> samu("35"));
		registry.add("sas.transmission.routes.44", () -> samu("44"));
		registry.add("sas.transmission.relay.interval", () -> "500ms");
		registry.add("sas.transmission.relay.backoff", () -> "200ms");
		registry.add("sas.transmission.relay.max-backoff", () -> "2s");
		registry.add("spring.rabbitmq.port", proxy::port);
	}

	synchronized LrmStandIn lrm() {
		if (lrm == null) {
			try {
				lrm = new LrmStandIn(HubSchemas.load(), sender() + ".ack", sender() + ".info", samu("35"), samu("44"));
				LrmStandIn created = lrm;
				Runtime.getRuntime().addShutdownHook(new Thread(() -> {
					try {
						created.close();
					} catch (Exception e) {
						// the broker went first: nothing to tidy
					}
				}));
			} catch (Exception e) {
				throw new IllegalStateException("cannot start the LRM stand-in", e);
			}
		}
		return lrm;
	}
}
