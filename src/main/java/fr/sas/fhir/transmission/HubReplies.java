package fr.sas.fhir.transmission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;

/**
 * What comes back on the platform's queues: on {@code .ack} the LRMs' final acknowledgements (RC-REF, matched by
 * the {@code distributionID} they reference), on {@code .info} the errors (RS-ERROR: 102, 300, 400, 500 from the
 * Hub, 409 from an LRM), matched by {@code referencedDistributionID} or the source message's id. Each moves its
 * message's state; nothing is retried (the Hub would refuse an invalid message again). A reply that matches no
 * message, or cannot be read, is logged and dropped: it never blocks the queue.
 */
final class HubReplies implements MessageListener {

	private static final Logger LOG = LoggerFactory.getLogger(HubReplies.class);

	private final ObjectMapper json;
	private final LrmOutbox outbox;

	HubReplies(ObjectMapper json, LrmOutbox outbox) {
		this.json = json;
		this.outbox = outbox;
	}

	@Override
	public void onMessage(Message message) {
		JsonNode envelope;
		try {
			envelope = json.readTree(message.getBody());
		} catch (IOException e) {
			LOG.warn("unreadable message on the platform's queue {}: {}", message.getMessageProperties().getConsumerQueue(), e.getMessage());
			return;
		}
		JsonNode content = envelope.path("content").path(0).path("jsonContent").path("embeddedJsonContent").path("message");
		JsonNode reference = content.path("reference");
		JsonNode error = content.path("error");
		if (reference.isObject()) {
			String id = reference.path("distributionID").asText(null);
			boolean matched = id != null && outbox.acknowledged(id, reference.path("refused").asBoolean(false),
					reference.path("step").asText(null));
			report(matched, "acknowledgement", id, envelope);
		} else if (error.isObject()) {
			JsonNode code = error.path("errorCode");
			String cause = code.path("statusString").asText("") + ": " + error.path("errorCause").asText("");
			String status = code.path("statusCode").isNumber() ? String.valueOf(code.path("statusCode").asInt()) : code.path("statusCode").asText("?");
			String id = error.path("referencedDistributionID").asText(null);
			boolean matched = id != null && outbox.failed(id, status, cause);
			String source = error.path("sourceMessage").path("distributionID").asText(null);
			if (!matched && source != null) {
				matched = outbox.failed(source, status, cause);
				id = source;
			}
			report(matched, "error " + status, id, envelope);
		} else {
			LOG.warn("message {} on the platform's queue is neither an acknowledgement nor an error: dropped",
					envelope.path("distributionID").asText("(no distributionID)"));
		}
	}

	private static void report(boolean matched, String what, String id, JsonNode envelope) {
		if (!matched) {
			LOG.warn("{} {} from {} matches no message still open: dropped", what, id, envelope.path("senderID").asText("?"));
		}
	}
}
