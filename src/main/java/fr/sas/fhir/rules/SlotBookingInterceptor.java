package fr.sas.fhir.rules;

import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.WriteRule;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.time.Duration;
import java.util.ArrayList;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.stereotype.Component;

/**
 * When an Appointment references a Slot held by this server (the SAS agenda), booking makes that slot busy in
 * the same transaction, so no search offers it any more; cancelling a future appointment frees it. Bookings of
 * one slot are serialized on this node: before its transaction starts, a request takes the locks of every slot
 * its appointments reference, all at once in a fixed order and with a time-out ({@link RequestLocks}), and
 * holds them until it completes. Of two concurrent bookings, exactly one succeeds and the other gets 409; two
 * transactions booking X, Y and Y, X never wait for each other. Across nodes, HAPI's version check of the slot is
 * the backstop.
 */
@Component
@Interceptor(order = WriteRule.EFFECTS)
public class SlotBookingInterceptor extends WriteRule {

	/** Statuses under which an appointment holds its slot. */
	static final Set<String> HOLDING = Set.of("booked", "pending", "arrived", "fulfilled", "checked-in", "waitlist");

	private static final Duration LOCK_WAIT = Duration.ofSeconds(20);

	private final DaoRegistry daoRegistry;
	private final ReferencedResources references;
	private final Clock clock;
	private final SlotRowLock rowLock;
	private final RequestLocks locks = new RequestLocks("slots", LOCK_WAIT);

	public SlotBookingInterceptor(DaoRegistry daoRegistry, ReferencedResources references, Clock clock, SlotRowLock rowLock) {
		this.daoRegistry = daoRegistry;
		this.references = references;
		this.clock = clock;
		this.rowLock = rowLock;
	}

	/** Every slot the request's appointments reference, locked before its transaction starts. */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void lockReferencedSlots(RequestDetails request) throws InterruptedException {
		List<String> slots = new ArrayList<>();
		IBaseResource body = request.getResource();
		if (body instanceof Appointment appointment) {
			slotIds(appointment, slots);
		} else if (body instanceof Bundle bundle) {
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				if (entry.getResource() instanceof Appointment appointment) {
					slotIds(appointment, slots);
				}
			}
		}
		locks.lockAll(request, slots, "slot " + String.join(", ", slots), "Appointment.slot");
	}

	private static void slotIds(Appointment appointment, List<String> into) {
		for (Reference slot : appointment.getSlot()) {
			if (slot.hasReference()) {
				String id = new IdType(slot.getReference()).getIdPart();
				if (id != null) {
					into.add(id);
				}
			}
		}
	}

	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void releaseLocks(RequestDetails request) {
		locks.release(request);
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
			Optional<Resource> found = references.find(slotReference, request);
			if (found.isEmpty() || !(found.get() instanceof Slot slot)) {
				continue; // a slot of another agenda: nothing to book here
			}
			boolean books = holds && !heldBefore;
			boolean frees = !holds && heldBefore && slot.getStatus() == Slot.SlotStatus.BUSY
					&& slot.getStart() != null && slot.getStart().toInstant().isAfter(clock.instant());
			if (!books && !frees) {
				continue;
			}
			if (changedSinceRead(slot)) {
				OperationOutcome outcome = new OperationOutcome();
				outcome.addIssue(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.CONFLICT,
						"Appointment.slot", "SAS-slot-changed", "slot " + slotReference.getReference()
								+ " was changed by another request meanwhile" + (books ? ": it is no longer free" : "; send this one again")));
				throw new ResourceVersionConflictException("Slot changed meanwhile", outcome);
			}
			if (books) {
				if (slot.getStatus() != Slot.SlotStatus.FREE) {
					OperationOutcome outcome = new OperationOutcome();
					outcome.addIssue(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR, "Appointment.slot",
							"SAS-slot-booked", "slot " + slotReference.getReference() + " is no longer free"));
					throw new ResourceVersionConflictException("Slot already booked", outcome);
				}
				setStatus(slot, Slot.SlotStatus.BUSY);
			} else {
				setStatus(slot, Slot.SlotStatus.FREE);
			}
		}
	}

	/**
	 * Locks the slot's row for the rest of the transaction (another node may be booking it) and tells whether a
	 * version newer than the one read was committed meanwhile. Newer only: this transaction's own change of the slot,
	 * earlier in a bundle and not yet flushed, leaves the row older than what it read.
	 */
	private boolean changedSinceRead(Slot slot) {
		OptionalLong locked = rowLock.lock(slot.getIdElement().getIdPart());
		return locked.isPresent() && slot.getIdElement().hasVersionIdPart()
				&& locked.getAsLong() > slot.getIdElement().getVersionIdPartAsLong();
	}

	/** The server's own write: a system request, which our REST interceptors (profile validation) do not see. */
	private void setStatus(Slot slot, Slot.SlotStatus status) {
		Slot changed = slot.copy();
		changed.setStatus(status);
		daoRegistry.getResourceDao("Slot").update(changed, new SystemRequestDetails());
	}
}
