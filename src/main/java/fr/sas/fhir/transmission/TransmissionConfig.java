package fr.sas.fhir.transmission;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.DefaultSaslConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.amqp.core.AcknowledgeMode;
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

		@Bean
		LrmRelay lrmRelay(LrmOutbox outbox, RabbitTemplate rabbit, AppointmentMessageBuilder builder, ObjectMapper json,
				TransmissionProperties properties, Clock clock, PlatformTransactionManager transactions) {
			return new LrmRelay(outbox, rabbit, new EdxlEnvelope(json, properties, builder), properties, clock, transactions);
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
			return container;
		}

		@Bean
		@ConditionalOnProperty(prefix = "sas.transmission", name = "declare-queues", havingValue = "true")
		Queue lrmAckQueue(TransmissionProperties properties) {
			return new Queue(properties.expand(properties.getAckQueue(), null), true);
		}

		@Bean
		@ConditionalOnProperty(prefix = "sas.transmission", name = "declare-queues", havingValue = "true")
		Queue lrmInfoQueue(TransmissionProperties properties) {
			return new Queue(properties.expand(properties.getInfoQueue(), null), true);
		}

		/** AMQPS with the client certificate of {@code spring.rabbitmq.ssl.*}, as the Hub authenticates its clients. */
		@Bean
		@ConditionalOnProperty(prefix = "sas.transmission", name = "sasl-external", havingValue = "true")
		ConnectionFactoryCustomizer saslExternal() {
			return factory -> factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
		}
	}
}
