package fr.sas.fhir.transmission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The LRMs of the tests, straight on the machine's broker: each SAMU's queue {@code <id>.message} consumed, each
 * message checked against the Hub's schemas and kept, and answered on the platform's queues with an RC-REF
 * acknowledgement (default) or an RS-ERROR, as the test says.
 */
final class LrmStandIn implements AutoCloseable {

	record Received(String queue, String distributionId, JsonNode message, List<String> problems) {
		JsonNode appointment() {
			return message.path("content").path(0).path("jsonContent").path("embeddedJsonContent").path("message").path("appointment");
		}
	}

	/** What the LRM answers: an acknowledgement, an error with its code, or nothing. */
	record Reply(String kind, int code, String status) {
		static final Reply ACK = new Reply("ack", 0, null);
		static final Reply NONE = new Reply("none", 0, null);

		static Reply error(int code, String status) {
			return new Reply("error", code, status);
		}
	}

	private static final ObjectMapper JSON = new ObjectMapper();

	private final Connection connection;
	private final Channel channel;
	private final HubSchemas schemas;
	private final String ackQueue;
	private final String infoQueue;
	final List<Received> received = new CopyOnWriteArrayList<>();
	private final Map<String, Reply> repliesByAppointment = new ConcurrentHashMap<>();
	private final List<String> queues = new CopyOnWriteArrayList<>();

	LrmStandIn(HubSchemas schemas, String ackQueue, String infoQueue, String... samus) throws Exception {
		this.schemas = schemas;
		this.ackQueue = ackQueue;
		this.infoQueue = infoQueue;
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost("127.0.0.1");
		factory.setPort(5672);
		connection = factory.newConnection("lrm-stand-in");
		channel = connection.createChannel();
		channel.queueDeclare(ackQueue, true, false, false, null);
		channel.queueDeclare(infoQueue, true, false, false, null);
		queues.add(ackQueue);
		queues.add(infoQueue);
		for (String samu : samus) {
			String queue = samu + ".message";
			channel.queueDeclare(queue, true, false, false, null);
			channel.queuePurge(queue);
			queues.add(queue);
			channel.basicConsume(queue, true, (tag, delivery) -> receive(queue, delivery.getBody()), tag -> { });
		}
	}

	/** The reply to the messages about one appointment (its {@code appointmentId}); acknowledgement otherwise. */
	void replyTo(String appointmentUuid, Reply reply) {
		repliesByAppointment.put(appointmentUuid, reply);
	}

	List<Received> about(String appointmentUuid) {
		return received.stream().filter(r -> appointmentUuid.equals(r.appointment().path("appointmentId").asText())).toList();
	}

	private void receive(String queue, byte[] body) throws IOException {
		JsonNode message = JSON.readTree(body);
		Received r = new Received(queue, message.path("distributionID").asText(), message, schemas.problems(message));
		received.add(r);
		Reply reply = repliesByAppointment.getOrDefault(r.appointment().path("appointmentId").asText(), Reply.ACK);
		if (reply.kind().equals("ack")) {
			publish(ackQueue, envelope(message, "Ack", content -> {
				content.put("messageId", content.path("messageId").asText());
				content.putObject("reference").put("distributionID", r.distributionId());
				return content;
			}));
		} else if (reply.kind().equals("error")) {
			ObjectNode error = JSON.createObjectNode();
			ObjectNode code = error.putObject("errorCode");
			code.put("statusCode", reply.code());
			code.put("statusString", reply.status());
			error.put("errorCause", "test LRM refuses " + r.distributionId());
			error.put("referencedDistributionID", r.distributionId());
			error.set("sourceMessage", message);
			ObjectNode envelope = header(message, "Error");
			envelope.putArray("content").addObject().putObject("jsonContent").putObject("embeddedJsonContent")
					.putObject("message").set("error", error);
			publish(infoQueue, envelope);
		}
	}

	private ObjectNode header(JsonNode original, String kind) {
		String self = original.path("descriptor").path("explicitAddress").path("explicitAddressValue").asText();
		ObjectNode envelope = JSON.createObjectNode();
		envelope.put("distributionID", self + "_" + UUID.randomUUID());
		envelope.put("senderID", self);
		envelope.put("dateTimeSent", original.path("dateTimeSent").asText());
		envelope.put("dateTimeExpires", original.path("dateTimeExpires").asText());
		envelope.put("distributionStatus", "Actual");
		envelope.put("distributionKind", kind);
		ObjectNode descriptor = envelope.putObject("descriptor");
		descriptor.put("language", "fr-FR");
		descriptor.putObject("explicitAddress").put("explicitAddressScheme", "hubex")
				.put("explicitAddressValue", original.path("senderID").asText());
		return envelope;
	}

	private ObjectNode envelope(JsonNode original, String kind, Function<ObjectNode, ObjectNode> content) {
		ObjectNode envelope = header(original, kind);
		ObjectNode rcde = JSON.createObjectNode();
		rcde.put("messageId", envelope.path("distributionID").asText());
		rcde.putObject("sender").put("name", envelope.path("senderID").asText()).put("URI", "hubex:" + envelope.path("senderID").asText());
		rcde.put("sentAt", original.path("dateTimeSent").asText());
		rcde.put("kind", kind);
		rcde.put("status", "Actual");
		rcde.putArray("recipient").addObject().put("name", original.path("senderID").asText())
				.put("URI", "hubex:" + original.path("senderID").asText());
		envelope.putArray("content").addObject().putObject("jsonContent").putObject("embeddedJsonContent")
				.set("message", content.apply(rcde));
		return envelope;
	}

	private void publish(String queue, JsonNode envelope) throws IOException {
		List<String> problems = schemas.problems(envelope);
		if (!problems.isEmpty()) {
			throw new IllegalStateException("the test LRM's own reply breaks the Hub's schemas: " + problems);
		}
		synchronized (channel) {
			channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).build(),
					JSON.writeValueAsBytes(envelope));
		}
	}

	/** Closes the connection and deletes the suite's queues, so the machine's broker keeps none of them. */
	@Override
	public void close() throws Exception {
		if (connection.isOpen()) {
			for (String queue : queues) {
				channel.queueDelete(queue);
			}
			connection.close();
		}
	}
}
