package fr.sas.fhir.transmission;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import fr.sas.fhir.common.AfterCommit;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage-wide (every create and update of an Appointment, by a request, in a transaction bundle or by a job),
 * just before the transaction commits: the message the LRM must receive is recorded in that transaction, so the
 * change and its message commit together or not at all. A create sends CreateAppointment; an update that changes
 * what the LRM sees (status, times, practitioner, slot, orientation, operator) sends UpdateAppointment with the
 * whole current state; any other update sends nothing.
 */
final class AppointmentChanges {

	private static final Logger LOG = LoggerFactory.getLogger(AppointmentChanges.class);

	private final AppointmentMessageBuilder builder;
	private final LrmOutbox outbox;
	private final TransmissionProperties properties;
	private final Clock clock;
	private final Runnable wakeRelay;

	AppointmentChanges(AppointmentMessageBuilder builder, LrmOutbox outbox, TransmissionProperties properties, Clock clock,
			Runnable wakeRelay) {
		this.builder = builder;
		this.outbox = outbox;
		this.properties = properties;
		this.clock = clock;
		this.wakeRelay = wakeRelay;
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		if (resource instanceof Appointment appointment) {
			record(appointment, "CreateAppointment");
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource oldResource, IBaseResource newResource) {
		if (newResource instanceof Appointment appointment
				&& !(oldResource instanceof Appointment before && Seen.of(before).equals(Seen.of(appointment)))) {
			record(appointment, "UpdateAppointment");
		}
	}

	/** What of an appointment the LRM sees. */
	record Seen(String status, Instant start, Instant end, Instant created, List<String> participants, List<String> slots,
			List<String> extensions) {
		static Seen of(Appointment a) {
			return new Seen(a.hasStatus() ? a.getStatus().toCode() : null,
					a.hasStart() ? a.getStart().toInstant() : null, a.hasEnd() ? a.getEnd().toInstant() : null,
					a.hasCreated() ? a.getCreated().toInstant() : null,
					a.getParticipant().stream().map(p -> reference(p.getActor())).toList(),
					a.getSlot().stream().map(Seen::reference).toList(),
					a.getExtension().stream().filter(e -> AppointmentMessageBuilder.OPERATOR.equals(e.getUrl())
							|| AppointmentMessageBuilder.ORIENTATION.equals(e.getUrl()))
							.map(e -> e.getUrl() + "=" + (e.getValue() instanceof Reference r ? reference(r)
									: e.getValue() instanceof org.hl7.fhir.r4.model.CodeableConcept c
											? c.getCoding().stream().map(x -> x.getSystem() + "|" + x.getCode()).toList().toString()
											: String.valueOf(e.getValue())))
							.toList());
		}

		private static String reference(Reference r) {
			return Objects.toString(r.getReference(), "") + "|" + Objects.toString(r.getIdentifier().getSystem(), "")
					+ "|" + Objects.toString(r.getIdentifier().getValue(), "");
		}
	}

	private void record(Appointment appointment, String method) {
		String resource = "Appointment/" + appointment.getIdElement().getIdPart();
		String uuid = appointmentUuid(resource);
		Instant now = clock.instant();
		Instant created = outbox.firstRecorded(resource).orElse(now);
		AppointmentMessageBuilder.Draft draft = builder.build(appointment, uuid, method, created);
		String distributionId = properties.getSender() + "_" + UUID.randomUUID();
		LrmMessage message = new LrmMessage(distributionId, resource, uuid, method, draft.recipient(), draft.body(),
				draft.failed() ? LrmMessageState.ERROR : LrmMessageState.PENDING, now, now.plus(properties.getExpiresAfter()));
		if (draft.failed()) {
			message.fail(draft.failureCode(), draft.failure());
			LOG.warn("{} of {} not sent to an LRM: {}", method, resource, draft.failure());
			outbox.record(message, draft.failureCode() + ": " + draft.failure());
			return;
		}
		outbox.record(message, method + " to " + draft.recipient());
		AfterCommit.run(wakeRelay);
	}

	/** {@code appointmentId}: a name-based UUID of this platform's id and the resource, the same in every message. */
	String appointmentUuid(String resource) {
		return UUID.nameUUIDFromBytes((properties.getSender() + "/" + resource).getBytes(StandardCharsets.UTF_8)).toString();
	}
}
