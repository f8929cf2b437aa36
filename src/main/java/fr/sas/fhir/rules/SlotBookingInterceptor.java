package fr.sas.fhir.rules;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.stereotype.Component;

/**
 * When an Appointment references a Slot held by this server (the SAS agenda), booking makes that slot busy in
 * the same transaction, so no search offers it any more; cancelling a future appointment frees it. Bookings of
 * one slot are serialized on this node (a lock per slot held until the request completes): of two concurrent
 * bookings, exactly one succeeds and the other gets 409. Across nodes, HAPI's version check of the slot is the
 * backstop.
 */
@Component
@Interceptor(order = WriteRule.EFFECTS)
public class SlotBookingInterceptor extends WriteRule {

	/** Statuses under which an appointment holds its slot. */
	static final Set<String> HOLDING = Set.of("booked", "pending", "arrived", "fulfilled", "checked-in", "waitlist");

	private static final String HELD_LOCKS = SlotBookingInterceptor.class.getName() + ".locks";

	private final DaoRegistry daoRegistry;
	private final ReferencedResources references;
	private final Clock clock;
	private final com.google.common.util.concurrent.Striped<Lock> locks =
			com.google.common.util.concurrent.Striped.lock(256);

	public SlotBookingInterceptor(DaoRegistry daoRegistry, ReferencedResources references, Clock clock) {
		this.daoRegistry = daoRegistry;
		this.references = references;
		this.clock = clock;
	}

	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void releaseLocks(RequestDetails request) {
		Object held = request.getUserData().remove(HELD_LOCKS);
		if (held instanceof List<?> list) {
			list.forEach(lock -> ((Lock) lock).unlock());
		}
	}

	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Appointment appointment)) {
			return;
		}
		boolean holds = appointment.hasStatus() && HOLDING.contains(appointment.getStatus().toCode());
		boolean heldBefore = previous instanceof Appointment before && before.hasStatus()
				&& HOLDING.contains(before.getStatus().toCode());
		for (Reference slotReference : appointment.getSlot()) {
			// Lock before reading: the slot must not sit stale in this transaction's persistence context.
			lock(new org.hl7.fhir.r4.model.IdType(slotReference.getReference()).getIdPart(), request);
			Optional<Resource> found = references.find(slotReference, request);
			if (found.isEmpty() || !(found.get() instanceof Slot slot)) {
				continue; // a slot of another agenda: nothing to book here
			}
			if (holds && !heldBefore) {
				if (slot.getStatus() != Slot.SlotStatus.FREE) {
					OperationOutcome outcome = new OperationOutcome();
					outcome.addIssue(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR, "Appointment.slot",
							"SAS-slot-booked", "slot " + slotReference.getReference() + " is no longer free"));
					throw new ResourceVersionConflictException("Slot already booked", outcome);
				}
				setStatus(slot, Slot.SlotStatus.BUSY);
			} else if (!holds && heldBefore && slot.getStatus() == Slot.SlotStatus.BUSY
					&& slot.getStart() != null && slot.getStart().toInstant().isAfter(clock.instant())) {
				setStatus(slot, Slot.SlotStatus.FREE);
			}
		}
	}

	@SuppressWarnings("unchecked")
	private void lock(String slotId, RequestDetails request) {
		if (!(request instanceof ServletRequestDetails) || slotId == null) {
			return; // only REST requests get SERVER_PROCESSING_COMPLETED, which releases the lock
		}
		Lock lock = locks.get(slotId);
		List<Lock> held = (List<Lock>) request.getUserData().computeIfAbsent(HELD_LOCKS, k -> new java.util.ArrayList<>());
		if (!held.contains(lock)) {
			lock.lock();
			held.add(lock);
		}
	}

	/** The server's own write: a system request, which our REST interceptors (profile validation) do not see. */
	private void setStatus(Slot slot, Slot.SlotStatus status) {
		Slot changed = slot.copy();
		changed.setStatus(status);
		daoRegistry.getResourceDao("Slot").update(changed, new SystemRequestDetails());
	}
}
