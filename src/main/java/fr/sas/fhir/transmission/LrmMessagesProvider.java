package fr.sas.fhir.transmission;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import fr.sas.fhir.common.FhirOperationProvider;
import java.util.Date;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;

/**
 * {@code GET [base]/Appointment/{id}/$lrm-messages}: the messages sent to the LRMs about an appointment, oldest
 * first, as Communication resources: the distributionID and the appointmentId as identifiers, the SAMU as recipient, the payload, the
 * state as status (pending: preparation, sent: in-progress, acknowledged: completed, error: not-done, expired:
 * stopped) and statusReason (the Hub's or the LRM's code and cause), the history as notes. Its
 * OperationDefinition is {@code profiles/OperationDefinition-Appointment-lrm-messages.json}.
 */
public class LrmMessagesProvider implements FhirOperationProvider {

	static final String DISTRIBUTION_ID = "https://sas-fhir-server.example/lrm-distribution-id";
	/** The {@code appointmentId} the LRMs know the appointment by. */
	static final String APPOINTMENT_ID = "https://sas-fhir-server.example/lrm-appointment-id";
	static final String STATE = "https://sas-fhir-server.example/lrm-message-state";
	static final String HUB_CLIENT = "https://sas-fhir-server.example/hub-client-id";

	private final LrmOutbox outbox;
	private final DaoRegistry daos;

	LrmMessagesProvider(LrmOutbox outbox, DaoRegistry daos) {
		this.outbox = outbox;
		this.daos = daos;
	}

	@Operation(name = "$lrm-messages", idempotent = true, type = org.hl7.fhir.r4.model.Appointment.class)
	public Bundle messages(@IdParam IdType id, RequestDetails request) {
		daos.getResourceDao("Appointment").read(id.toUnqualifiedVersionless(), request); // 404 / 410 as HAPI says
		Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
		for (LrmMessage message : outbox.ofAppointment("Appointment/" + id.getIdPart())) {
			bundle.addEntry().setResource(communication(message));
		}
		bundle.setTotal(bundle.getEntry().size());
		return bundle;
	}

	private Communication communication(LrmMessage message) {
		Communication communication = new Communication();
		communication.setId("lrm-" + message.getId());
		communication.addIdentifier().setSystem(DISTRIBUTION_ID).setValue(message.getDistributionId());
		communication.addIdentifier().setSystem(APPOINTMENT_ID).setValue(message.getAppointmentUuid());
		communication.setStatus(switch (message.getState()) {
			case PENDING -> Communication.CommunicationStatus.PREPARATION;
			case SENT -> Communication.CommunicationStatus.INPROGRESS;
			case ACKNOWLEDGED -> Communication.CommunicationStatus.COMPLETED;
			case ERROR -> Communication.CommunicationStatus.NOTDONE;
			case EXPIRED -> Communication.CommunicationStatus.STOPPED;
		});
		CodeableConcept reason = new CodeableConcept(new Coding(STATE, message.getState().name().toLowerCase(), null));
		if (message.getErrorCode() != null) {
			reason.addCoding(new Coding(STATE + "/error", message.getErrorCode(), null));
		}
		reason.setText(message.getDetail());
		communication.setStatusReason(reason);
		communication.addAbout(new Reference(message.getAppointment()));
		communication.getTopic().setText(message.getMethod());
		if (message.getRecipient() != null) {
			communication.addRecipient().setDisplay(message.getRecipient()).getIdentifier().setSystem(HUB_CLIENT)
					.setValue(message.getRecipient());
		}
		if (message.getSentAt() != null) {
			communication.setSent(Date.from(message.getSentAt()));
		}
		if (message.getBody() != null) {
			communication.addPayload().setContent(new org.hl7.fhir.r4.model.StringType(message.getBody()));
		}
		for (LrmMessageEvent event : outbox.history(message.getId())) {
			communication.addNote(new Annotation().setTime(Date.from(event.getAt()))
					.setText(event.getState().name().toLowerCase() + (event.getDetail() == null ? "" : ": " + event.getDetail())));
		}
		return communication;
	}
}
