package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.Outcomes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;

/** Booking a slot of this server's agenda makes it busy; one booking per slot, even under concurrency (H2 and PostgreSQL). */
public interface SlotBookingContract {

	fr.sas.fhir.support.FhirHttp fhir();

	OffsetDateTime START = OffsetDateTime.now(ZoneOffset.UTC).plusHours(5).withNano(0);

	/** A practitioner's agenda with one free slot {@code Slot/sl-<s>}; returns s. */
	default String agenda() {
		String s = UUID.randomUUID().toString().substring(0, 8);
		assertThat(fhir().put("/Practitioner/p-" + s, practitioner("p-" + s, "810000000321")).status()).isEqualTo(201);
		assertThat(fhir().put("/PractitionerRole/r-" + s, practitionerRole("r-" + s, "p-" + s)).status()).isEqualTo(201);
		assertThat(fhir().put("/Schedule/sc-" + s, practitionerSchedule("sc-" + s, "p-" + s, "r-" + s)).status()).isEqualTo(201);
		assertThat(fhir().put("/Slot/sl-" + s, slot("sl-" + s, "sc-" + s, START, 20)).status()).isEqualTo(201);
		return s;
	}

	default Appointment booking(String s, String value) {
		Appointment a = appointment("x", value, "810000000321", START);
		a.setIdElement(null);
		a.addSlot(new Reference("Slot/sl-" + s));
		return a;
	}

	default Slot.SlotStatus slotStatus(String s) {
		return ((Slot) fhir().get("/Slot/sl-" + s).resource()).getStatus();
	}

	default int freeSlots(String s) {
		return fhir().get("/Slot?schedule=Schedule/sc-" + s + "&status=free").bundle().getTotal();
	}

	@Test
	default void bookingMakesTheSlotBusyAndCancellingFreesIt() {
		String s = agenda();
		String value = UUID.randomUUID().toString();
		Response booked = fhir().post("/Appointment", booking(s, value));
		assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
		assertThat(slotStatus(s)).isEqualTo(Slot.SlotStatus.BUSY);
		assertThat(freeSlots(s)).isZero();

		Response second = fhir().post("/Appointment", booking(s, UUID.randomUUID().toString()));
		assertThat(second.status()).as(second.toString()).isEqualTo(409);
		assertThat(Outcomes.hasError(second.outcome(), "SAS-slot-booked", "Appointment.slot", null)).isTrue();

		Appointment cancelled = booking(s, value).setStatus(Appointment.AppointmentStatus.CANCELLED);
		Response cancel = fhir().put("/Appointment?identifier=urn:oid:1.2.250.1.999.1|" + value, cancelled);
		assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
		assertThat(slotStatus(s)).isEqualTo(Slot.SlotStatus.FREE);
		assertThat(freeSlots(s)).isEqualTo(1);
	}

	@Test
	default void ofConcurrentBookingsOfOneSlotExactlyOneSucceeds() throws Exception {
		String s = agenda();
		ExecutorService pool = Executors.newFixedThreadPool(8);
		List<Integer> statuses = new ArrayList<>();
		try {
			List<Callable<Integer>> bookings = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				bookings.add(() -> fhir().post("/Appointment", booking(s, UUID.randomUUID().toString())).status());
			}
			for (Future<Integer> f : pool.invokeAll(bookings)) {
				statuses.add(f.get());
			}
		} finally {
			pool.shutdownNow();
		}
		assertThat(statuses).filteredOn(st -> st == 201).hasSize(1);
		assertThat(statuses).filteredOn(st -> st == 409).hasSize(7);
		assertThat(slotStatus(s)).isEqualTo(Slot.SlotStatus.BUSY);
		assertThat(fhir().get("/Appointment?slot=Slot/sl-" + s).bundle().getTotal()).isEqualTo(1);
	}

	/**
	 * Two transactions booking slots X, Y and Y, X at once: the locks are taken in one order, so both are answered
	 * (one books both slots, the other finds them taken) instead of waiting for each other for ever.
	 */
	@Test
	default void bookingsOfTheSameSlotsInOppositeOrderNeverWaitForEachOther() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 5; round++) {
				String x = agenda();
				String y = agenda();
				List<Future<Response>> sent = new ArrayList<>();
				sent.add(pool.submit(() -> fhir().post("/", bookings(x, y))));
				sent.add(pool.submit(() -> fhir().post("/", bookings(y, x))));
				List<Integer> statuses = new ArrayList<>();
				for (Future<Response> f : sent) {
					Response r = f.get(90, java.util.concurrent.TimeUnit.SECONDS);
					statuses.add(r.status());
					if (r.status() == 409) {
						assertThat(Outcomes.hasError(r.outcome(), "SAS-slot-booked", "Appointment.slot", null)
								|| Outcomes.hasError(r.outcome(), "SAS-concurrent-write", "Appointment.slot", null)).as(r.toString()).isTrue();
					}
				}
				assertThat(statuses).as("round " + round).containsExactlyInAnyOrder(200, 409);
				assertThat(slotStatus(x)).isEqualTo(Slot.SlotStatus.BUSY);
				assertThat(slotStatus(y)).isEqualTo(Slot.SlotStatus.BUSY);
			}
		} finally {
			pool.shutdownNow();
		}
	}

	/** A transaction of two appointments, one on each slot, in this order. */
	private org.hl7.fhir.r4.model.Bundle bookings(String first, String second) {
		org.hl7.fhir.r4.model.Bundle tx = new org.hl7.fhir.r4.model.Bundle().setType(org.hl7.fhir.r4.model.Bundle.BundleType.TRANSACTION);
		for (String s : List.of(first, second)) {
			tx.addEntry().setResource(booking(s, UUID.randomUUID().toString())).getRequest()
					.setMethod(org.hl7.fhir.r4.model.Bundle.HTTPVerb.POST).setUrl("Appointment");
		}
		return tx;
	}
}
