package fr.sas.fhir.transmission;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.DefaultSaslConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.amqp.core.AcknowledgeMode;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.autoconfigure.amqp.ConnectionFactoryCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Appointments to the LRMs (INT_L02). The outbox tables and {@code $lrm-messages} are always there; recording,
 * the relay and the reply consumers only with {@code sas.transmission.enabled=true}. The broker connection is
 * Spring Boot's ({@code spring.rabbitmq.*}, publisher confirms and returns on); the server starts when the broker
 * is unreachable and the relay and consumers keep trying.
 */
@Configuration
@EnableConfigurationProperties(TransmissionProperties.class)
public class TransmissionConfig {

	/** The outbox joins HAPI's persistence unit: an appointment change and its message commit together. */
	@Bean
	public static PersistenceUnitPostProcessor lrmOutboxEntities() {
		return unit -> {
			unit.addManagedClassName(LrmMessage.class.getName());
			unit.addManagedClassName(LrmMessageEvent.class.getName());
			unit.addManagedClassName(LrmRelayLock.class.getName());
		};
	}

	@Bean
	LrmOutbox lrmOutbox(Clock clock, MeterRegistry meters, PlatformTransactionManager transactions) {
		return new LrmOutbox(clock, meters, transactions);
	}

	@Bean
	LrmMessagesProvider lrmMessagesProvider(LrmOutbox outbox, DaoRegistry daos) {
		return new LrmMessagesProvider(outbox, daos);
	}

	@Configuration
	@ConditionalOnProperty(prefix = "sas.transmission", name = "enabled", havingValue = "true")
	static class Enabled {

		@Bean
		AppointmentMessageBuilder appointmentMessageBuilder(DaoRegistry daos, TransmissionProperties properties, ObjectMapper json) {
			return new AppointmentMessageBuilder(daos, properties, json);
		}

		/** The relay; a new connection to the broker (it is back) ends its back-off at once. */
		@Bean
		LrmRelay lrmRelay(LrmOutbox outbox, RabbitTemplate rabbit, ObjectMapper json,
				TransmissionProperties properties, Clock clock, PlatformTransactionManager transactions,
				ConnectionFactory connections) {
			return new LrmRelay(outbox, rabbit, new EdxlEnvelope(json, properties), properties, clock, transactions,
					connections);
		}

		/** Storage-wide, so transaction bundles and jobs are seen too (not on the REST server: no double call). */
		@Bean
		AppointmentChanges appointmentChanges(AppointmentMessageBuilder builder, LrmOutbox outbox,
				TransmissionProperties properties, Clock clock, LrmRelay relay, IInterceptorService storageInterceptors) {
			AppointmentChanges changes = new AppointmentChanges(builder, outbox, properties, clock, relay::wake);
			storageInterceptors.registerInterceptor(changes);
			return changes;
		}

		@Bean
		SimpleMessageListenerContainer hubReplyListeners(ConnectionFactory connections, ObjectMapper json, LrmOutbox outbox,
				TransmissionProperties properties) {
			SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
			container.setQueueNames(properties.expand(properties.getAckQueue(), null), properties.expand(properties.getInfoQueue(), null));
			container.setMessageListener(new HubReplies(json, outbox));
			container.setAcknowledgeMode(AcknowledgeMode.AUTO);
			container.setDefaultRequeueRejected(false);
			container.setMissingQueuesFatal(false); // the Hub's queues may appear after us: keep trying
			ExponentialBackOff reconnect = new ExponentialBackOff(1000, 2);
			reconnect.setMaxInterval(properties.getRelay().getMaxBackoff().toMillis());
			container.setRecoveryBackOff(reconnect); // broker away: a few log lines, not one every 5 s
			return container;
		}

		/**
		 * A trial broker without a Hub: the platform's ack and info queues and, when messages go straight to the
		 * recipient's queue (default exchange, routing key naming the recipient), each route's queue.
		 */
		@Bean
		@ConditionalOnProperty(prefix = "sas.transmission", name = "declare-queues", havingValue = "true")
		Declarables trialQueues(TransmissionProperties properties) {
			List<Declarable> queues = new ArrayList<>();
			queues.add(new Queue(properties.expand(properties.getAckQueue(), null), true));
			queues.add(new Queue(properties.expand(properties.getInfoQueue(), null), true));
			if (properties.getExchange().isEmpty() && properties.getRoutingKey().contains("{recipient}")) {
				properties.getRoutes().values().stream().map(String::trim).distinct()
						.forEach(samu -> queues.add(new Queue(properties.expand(properties.getRoutingKey(), samu), true)));
			}
			return new Declarables(queues);
		}

		/** AMQPS with the client certificate of {@code spring.rabbitmq.ssl.*}, as the Hub authenticates its clients. */
		@Bean
		@ConditionalOnProperty(prefix = "sas.transmission", name = "sasl-external", havingValue = "true")
		ConnectionFactoryCustomizer saslExternal() {
			return factory -> factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
		}
	}
}
