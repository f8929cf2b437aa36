package fr.sas.fhir.transmission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A message as the Hub Santé routes it: the EDXL-DE envelope (addressed explicitly to the SAMU, scheme
 * {@code hubex}), its RC-DE header, and the {@code appointment} payload. Written at each send, so
 * {@code dateTimeSent} is the time of that send; the {@code distributionID} is the message's, always the same.
 */
final class EdxlEnvelope {

	private final ObjectMapper json;
	private final TransmissionProperties properties;
	EdxlEnvelope(ObjectMapper json, TransmissionProperties properties) {
		this.json = json;
		this.properties = properties;
	}

	byte[] write(LrmMessage message, Instant sentAt) {
		try {
			String sent = HubDates.format(sentAt, properties.getZone());
			String sender = properties.getSender();
			ObjectNode envelope = json.createObjectNode();
			envelope.put("distributionID", message.getDistributionId());
			envelope.put("senderID", sender);
			envelope.put("dateTimeSent", sent);
			envelope.put("dateTimeExpires", HubDates.format(message.getExpiresAt(), properties.getZone()));
			envelope.put("distributionStatus", properties.getDistributionStatus());
			envelope.put("distributionKind", "Report");
			ObjectNode descriptor = envelope.putObject("descriptor");
			descriptor.put("language", "fr-FR");
			ObjectNode address = descriptor.putObject("explicitAddress");
			address.put("explicitAddressScheme", "hubex");
			address.put("explicitAddressValue", message.getRecipient());
			ObjectNode rcde = envelope.putArray("content").addObject().putObject("jsonContent")
					.putObject("embeddedJsonContent").putObject("message");
			rcde.put("messageId", message.getDistributionId());
			ObjectNode from = rcde.putObject("sender");
			from.put("name", sender);
			from.put("URI", "hubex:" + sender);
			rcde.put("sentAt", sent);
			rcde.put("kind", "Report");
			rcde.put("status", properties.getDistributionStatus());
			ObjectNode to = rcde.putArray("recipient").addObject();
			to.put("name", message.getRecipient());
			to.put("URI", "hubex:" + message.getRecipient());
			rcde.setAll((ObjectNode) json.readTree(message.getBody()));
			return json.writeValueAsBytes(envelope);
		} catch (JsonProcessingException e) {
			throw new IllegalStateException("message " + message.getDistributionId() + " has an unreadable body", e);
		}
	}
}
