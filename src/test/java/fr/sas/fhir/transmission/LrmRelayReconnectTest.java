package fr.sas.fhir.transmission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The relay's wait after a failed round ends when a connection to the broker opens, not when its back-off
 * elapses: with a back-off of a minute, the next round follows the broker's return within the probe's period.
 */
class LrmRelayReconnectTest {

	@Test
	void aRoundFollowsTheBrokersReturnNotTheBackOff() {
		TransmissionProperties properties = new TransmissionProperties();
		properties.getRelay().setInterval(Duration.ofHours(1));
		properties.getRelay().setBackoff(Duration.ofMinutes(1));
		properties.getRelay().setMaxBackoff(Duration.ofMinutes(1));
		properties.getRelay().setReconnectProbe(Duration.ofMillis(50));

		// Every round fails before it reaches the outbox, as a round fails while the broker is away.
		List<Long> rounds = new CopyOnWriteArrayList<>();
		PlatformTransactionManager transactions = mock(PlatformTransactionManager.class);
		when(transactions.getTransaction(any())).thenAnswer(call -> {
			rounds.add(System.nanoTime());
			throw new AmqpConnectException(new java.net.ConnectException("Connection refused"));
		});

		// The broker is away for the first probes, then a connection opens (the factory tells its listeners).
		List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
		AtomicInteger attempts = new AtomicInteger();
		long[] opened = new long[1];
		ConnectionFactory connections = mock(ConnectionFactory.class);
		org.mockito.Mockito.doAnswer(call -> listeners.add(call.getArgument(0))).when(connections).addConnectionListener(any());
		when(connections.createConnection()).thenAnswer(call -> {
			if (attempts.incrementAndGet() < 5) {
				throw new AmqpConnectException(new java.net.ConnectException("Connection refused"));
			}
			Connection connection = mock(Connection.class);
			if (opened[0] == 0) {
				opened[0] = System.nanoTime();
			}
			listeners.forEach(l -> l.onCreate(connection));
			return connection;
		});

		LrmRelay relay = new LrmRelay(mock(LrmOutbox.class), mock(RabbitTemplate.class), null, properties, Clock.systemUTC(),
				transactions, connections);
		relay.start();
		try {
			relay.wake();
			await().atMost(Duration.ofSeconds(20)).until(() -> rounds.size() >= 2);
			assertThat(attempts.get()).as("probed until the broker was back").isGreaterThanOrEqualTo(5);
			Duration afterReturn = Duration.ofNanos(rounds.get(1) - opened[0]);
			assertThat(afterReturn).as("the second round follows the connection, not the minute of back-off")
					.isLessThan(Duration.ofSeconds(5)).isGreaterThanOrEqualTo(Duration.ZERO);
		} finally {
			relay.stop();
		}
	}
}
