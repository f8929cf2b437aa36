package fr.sas.fhir.analytics;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import fr.sas.fhir.common.SasCodes;
import jakarta.annotation.PostConstruct;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hibernate.Session;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;

/**
 * Keeps the fact tables in step with the resources, in the writing transaction (a storage-wide hook: REST writes,
 * transactions, and the server's own writes such as a slot booked by an appointment). A slot's place
 * (département) is its schedule's: the PractitionerRole's location or the SOS Location, read once per schedule and
 * kept a few minutes (a place that moves is seen within {@link #PLACES_KEPT}).
 */
class SlotFacts {

	/** The publisher's ownership tag (security.PublisherOwnershipInterceptor.OWNER_SYSTEM). */
	static final String OWNER_SYSTEM = "https://sas-fhir-server.example/publisher";
	static final String TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";
	static final String ORIENTATION = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-categorie-orientation";
	static final String SLOT_SERVICE_TYPE_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType";
	/** The most restrictive label names a slot's type. */
	private static final List<String> TYPE_ORDER = List.of("CPTS", "SNP", "PRO", "PUBLIC");
	private static final Duration PLACES_KEPT = Duration.ofMinutes(10);

	/** What a slot takes from its schedule. */
	record Place(String practitioner, String structure, String departement) {}

	private final IInterceptorService storageInterceptors;
	private final DaoRegistry daos;
	private final Clock clock;
	private final Calendar calendar;
	private final Cache<String, Place> places = Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(PLACES_KEPT).build();

	@PersistenceContext
	private EntityManager entityManager;

	SlotFacts(IInterceptorService storageInterceptors, DaoRegistry daos, Clock clock, Calendar calendar) {
		this.storageInterceptors = storageInterceptors;
		this.daos = daos;
		this.clock = clock;
		this.calendar = calendar;
	}

	@PostConstruct
	void listen() {
		storageInterceptors.registerInterceptor(this);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		written(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource oldResource, IBaseResource newResource) {
		written(newResource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		if (resource instanceof Slot slot && slot.hasStart()) {
			// a withdrawn future slot was not offered; an ended one was, and stays until its day is aggregated
			LocalDate day = calendar.day(slot.getStart().toInstant());
			if (!day.isBefore(calendar.day(clock.instant()))) {
				work(c -> {
					for (Unit stored : Unit.of(c, slot.getIdElement().getIdPart())) {
						stored.changed(c);
					}
					return Sql.update(c, "DELETE FROM SAS_AN_SLOT WHERE SLOT_ID = ?", slot.getIdElement().getIdPart());
				});
			}
		} else if (resource instanceof Appointment appointment) {
			work(c -> Sql.update(c, "DELETE FROM SAS_AN_APPOINTMENT WHERE APPOINTMENT_ID = ?", appointment.getIdElement().getIdPart()));
		} else if (resource instanceof Practitioner practitioner && SasCodes.isRegulatorAccount(practitioner)) {
			work(c -> Sql.update(c, "DELETE FROM SAS_AN_ACCOUNT WHERE PRACTITIONER_ID = ?", practitioner.getIdElement().getIdPart()));
		} else {
			forgetPlaces(resource);
		}
	}

	private void written(IBaseResource resource) {
		if (resource instanceof Slot slot) {
			slot(slot);
		} else if (resource instanceof Appointment appointment) {
			appointment(appointment);
		} else if (resource instanceof Practitioner practitioner && SasCodes.isRegulatorAccount(practitioner)) {
			account(practitioner);
		} else {
			forgetPlaces(resource);
		}
	}

	private void forgetPlaces(IBaseResource resource) {
		if (resource instanceof Schedule || resource instanceof PractitionerRole || resource instanceof Location) {
			places.invalidateAll();
		}
	}

	/** What a slot's fact row holds. */
	record SlotFact(String id, LocalDate day, int minutes, String status, String practitioner, String structure,
			String departement, String specialty, String type, String useCase, String publisher) {

		/** Replaces the slot's fact, marking the pair's day it leaves (if it moved) and the one it is in changed. */
		void write(Connection c) throws SQLException {
			for (Unit stored : Unit.of(c, id)) {
				if (!stored.equals(unit())) {
					stored.changed(c);
				}
			}
			unit().changed(c);
			Sql.update(c, "DELETE FROM SAS_AN_SLOT WHERE SLOT_ID = ?", id);
			insert(c);
		}

		/** The practitioner-structure pair's day this slot counts in. */
		Unit unit() {
			return new Unit(day, practitioner, structure);
		}

		/** The row alone (the back-fill marks the changed days once per batch). */
		void insert(Connection c) throws SQLException {
			Sql.update(c, "INSERT INTO SAS_AN_SLOT (SLOT_ID, DAY_KEY, MONTH_KEY, WEEK_KEY, MINUTES, STATUS, PRACTITIONER, STRUCTURE,"
							+ " DEPARTEMENT, SPECIALTY, SLOT_TYPE, USE_CASE, PUBLISHER) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					id, day, Calendar.month(day), Calendar.week(day), minutes, status, practitioner, structure, departement, specialty,
					type, useCase, publisher);
		}
	}

	/** A practitioner-structure pair's slots of one day: what a write marks changed ({@link SlotSummaries#changed}). */
	record Unit(LocalDate day, String practitioner, String structure) {
		/** The pair's day of a slot's stored fact (none if it has none). */
		static List<Unit> of(Connection c, String slotId) throws SQLException {
			return Sql.query(c, "SELECT DAY_KEY, PRACTITIONER, STRUCTURE FROM SAS_AN_SLOT WHERE SLOT_ID = ?",
					r -> new Unit(r.getDate(1).toLocalDate(), r.getString(2), r.getString(3)), slotId);
		}

		void changed(Connection c) throws SQLException {
			SlotSummaries.changed(c, day, practitioner, structure);
		}
	}

	/** The fact of a slot as it is now; empty without a start (such a slot is not counted). */
	Optional<SlotFact> slotFact(Slot slot) {
		if (!slot.hasStart()) {
			return Optional.empty();
		}
		Instant start = slot.getStart().toInstant();
		int minutes = slot.hasEnd() ? (int) Math.max(0, Duration.between(start, slot.getEnd().toInstant()).toMinutes()) : 0;
		LocalDate day = calendar.day(start);
		Place place = placeOf(slot.getSchedule());
		String structure = place.structure();
		String useCase = useCase(slot);
		if ("cpts".equals(useCase)) {
			structure = cptsService(slot).orElse(structure);
		}
		String specialty = slot.getSpecialty().stream().flatMap(c -> c.getCoding().stream()).map(Coding::getCode).findFirst().orElse(null);
		String type = slot.getMeta().getSecurity().stream().filter(c -> TYPE_CRENEAU.equals(c.getSystem())).map(Coding::getCode)
				.min((a, b) -> Integer.compare(rank(a), rank(b))).orElse(null);
		return Optional.of(new SlotFact(slot.getIdElement().getIdPart(), day, minutes, slot.hasStatus() ? slot.getStatus().toCode() : null,
				place.practitioner(), structure, place.departement(), specialty, type, useCase, publisher(slot)));
	}

	private void slot(Slot slot) {
		Optional<SlotFact> written = slotFact(slot);
		if (written.isEmpty()) {
			return;
		}
		SlotFact fact = written.get();
		boolean ended = fact.day().isBefore(calendar.day(clock.instant()));
		work(c -> {
			if (ended && !Sql.query(c, "SELECT DAY_KEY FROM SAS_AN_CLOSED_DAY WHERE DAY_KEY = ?", r -> 1, fact.day()).isEmpty()) {
				return 0; // its day is in the aggregate already
			}
			// the pair's day it leaves (if it moved) and the one it is in are read from the facts until the next fold
			fact.write(c);
			return 0;
		});
	}

	private static int rank(String code) {
		int i = TYPE_ORDER.indexOf(code);
		return i < 0 ? TYPE_ORDER.size() : i;
	}

	static String useCase(Resource resource) {
		String profiles = resource.getMeta().getProfile().toString();
		if (profiles.contains("sas-cpts-")) {
			return "cpts";
		}
		if (profiles.contains("sas-sos-")) {
			return "sos";
		}
		return "individual";
	}

	private static Optional<String> cptsService(Slot slot) {
		for (CodeableConcept serviceType : slot.getServiceType()) {
			for (Extension extension : serviceType.getExtensionsByUrl(SLOT_SERVICE_TYPE_EXT)) {
				if (extension.getValue() instanceof Reference reference && reference.hasReference()) {
					return Optional.of(reference.getReferenceElement().toUnqualifiedVersionless().getValue());
				}
			}
		}
		return Optional.empty();
	}

	static String publisher(Resource resource) {
		return resource.getMeta().getTag().stream().filter(t -> OWNER_SYSTEM.equals(t.getSystem())).map(Coding::getCode)
				.findFirst().orElse(null);
	}

	private Place placeOf(Reference schedule) {
		if (schedule == null || !schedule.getReferenceElement().hasIdPart()) {
			return new Place(null, null, null);
		}
		String id = schedule.getReferenceElement().getIdPart();
		return places.get(id, this::readPlace);
	}

	private Place readPlace(String scheduleId) {
		Schedule schedule = read(Schedule.class, scheduleId);
		if (schedule == null) {
			return new Place(null, null, null);
		}
		String practitioner = null;
		String structure = null;
		String departement = null;
		for (Reference actor : schedule.getActor()) {
			String type = actor.getReferenceElement().getResourceType();
			String actorId = actor.getReferenceElement().getIdPart();
			if ("Practitioner".equals(type)) {
				practitioner = "Practitioner/" + actorId;
			} else if ("PractitionerRole".equals(type)) {
				PractitionerRole role = read(PractitionerRole.class, actorId);
				if (role != null) {
					if (practitioner == null && role.getPractitioner().getReferenceElement().hasIdPart()) {
						practitioner = "Practitioner/" + role.getPractitioner().getReferenceElement().getIdPart();
					}
					departement = departement != null ? departement : departementOf(role);
				}
			} else if ("Location".equals(type) || "HealthcareService".equals(type)) {
				structure = type + "/" + actorId;
				if ("Location".equals(type)) {
					Location location = read(Location.class, actorId);
					if (location != null && departement == null) {
						departement = Calendar.departement(location.getAddress().getPostalCode());
					}
				}
			}
		}
		return new Place(practitioner, structure, departement);
	}

	private String departementOf(PractitionerRole role) {
		for (Reference reference : role.getLocation()) {
			Location location = null;
			if (reference.getReference() != null && reference.getReference().startsWith("#")) {
				String local = reference.getReference().substring(1);
				location = role.getContained().stream().filter(r -> r instanceof Location && local.equals(r.getIdElement().getIdPart()))
						.map(Location.class::cast).findFirst().orElse(null);
			} else if (reference.getReferenceElement().hasIdPart()) {
				location = read(Location.class, reference.getReferenceElement().getIdPart());
			}
			String departement = location == null ? null : Calendar.departement(location.getAddress().getPostalCode());
			if (departement != null) {
				return departement;
			}
		}
		return null;
	}

	private <T extends IBaseResource> T read(Class<T> type, String id) {
		try {
			return daos.getResourceDao(type).read(new org.hl7.fhir.r4.model.IdType(type.getSimpleName(), id), new SystemRequestDetails());
		} catch (BaseServerResponseException gone) {
			return null;
		}
	}

	/** What an appointment's fact takes from it; its day is {@code created}'s, else the day it was first stored. */
	record AppointmentFact(String id, LocalDate created, String orientation, String slotId, String status, String publisher,
			String useCase) {

		/** Replaces the appointment's fact; its département, specialty and use case are its slot's fact's, if any. */
		void write(Connection c, LocalDate firstStored) throws SQLException {
			LocalDate day = created != null ? created : firstStored;
			List<String[]> slot = slotId == null ? List.of() : Sql.query(c,
					"SELECT DEPARTEMENT, SPECIALTY, USE_CASE FROM SAS_AN_SLOT WHERE SLOT_ID = ?",
					r -> new String[] {r.getString(1), r.getString(2), r.getString(3)}, slotId);
			String[] place = slot.isEmpty() ? new String[] {null, null, useCase} : slot.get(0);
			Sql.update(c, "DELETE FROM SAS_AN_APPOINTMENT WHERE APPOINTMENT_ID = ?", id);
			Sql.update(c, "INSERT INTO SAS_AN_APPOINTMENT (APPOINTMENT_ID, DAY_KEY, MONTH_KEY, WEEK_KEY, STATUS, ORIENTATION,"
							+ " DEPARTEMENT, SPECIALTY, USE_CASE, PUBLISHER) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					id, day, Calendar.month(day), Calendar.week(day), status, orientation, place[0], place[1], place[2], publisher);
		}
	}

	AppointmentFact appointmentFact(Appointment appointment) {
		String orientation = appointment.getExtensionsByUrl(ORIENTATION).stream()
				.filter(e -> e.getValue() instanceof CodeableConcept).flatMap(e -> ((CodeableConcept) e.getValue()).getCoding().stream())
				.map(Coding::getCode).findFirst().orElse(null);
		String slotId = appointment.getSlot().stream().filter(r -> r.getReferenceElement().hasIdPart())
				.map(r -> r.getReferenceElement().getIdPart()).findFirst().orElse(null);
		return new AppointmentFact(appointment.getIdElement().getIdPart(),
				appointment.hasCreated() ? calendar.day(appointment.getCreated().toInstant()) : null, orientation, slotId,
				appointment.hasStatus() ? appointment.getStatus().toCode() : null, publisher(appointment), useCase(appointment));
	}

	private void appointment(Appointment appointment) {
		AppointmentFact fact = appointmentFact(appointment);
		work(c -> {
			List<LocalDate> seen = Sql.query(c, "SELECT DAY_KEY FROM SAS_AN_APPOINTMENT WHERE APPOINTMENT_ID = ?",
					r -> r.getDate(1).toLocalDate(), fact.id());
			fact.write(c, seen.isEmpty() ? calendar.day(clock.instant()) : seen.get(0));
			return 0;
		});
	}

	/** A regulator account is active while it is not deactivated and has an identifier in use. */
	static boolean active(Practitioner practitioner) {
		return (!practitioner.hasActive() || practitioner.getActive())
				&& practitioner.getIdentifier().stream().anyMatch(i -> i.getUse() != Identifier.IdentifierUse.OLD);
	}

	/** Replaces an account's fact ({@code day}: the day it was created). */
	static void writeAccount(Connection c, String id, LocalDate day, boolean active) throws SQLException {
		Sql.update(c, "DELETE FROM SAS_AN_ACCOUNT WHERE PRACTITIONER_ID = ?", id);
		Sql.update(c, "INSERT INTO SAS_AN_ACCOUNT (PRACTITIONER_ID, DAY_KEY, MONTH_KEY, WEEK_KEY, ACTIVE) VALUES (?, ?, ?, ?, ?)",
				id, day, Calendar.month(day), Calendar.week(day), active);
	}

	private void account(Practitioner practitioner) {
		String id = practitioner.getIdElement().getIdPart();
		boolean active = active(practitioner);
		work(c -> {
			List<LocalDate> seen = Sql.query(c, "SELECT DAY_KEY FROM SAS_AN_ACCOUNT WHERE PRACTITIONER_ID = ?",
					r -> r.getDate(1).toLocalDate(), id);
			writeAccount(c, id, seen.isEmpty() ? calendar.day(clock.instant()) : seen.get(0), active);
			return 0;
		});
	}

	private interface Work {
		int run(Connection connection) throws SQLException;
	}

	/**
	 * On the write's own connection, at the end of its transaction: the facts commit with the resource, or not at all.
	 * They are written once Hibernate has flushed the resources' rows, so every writer takes its locks in one order
	 * (the resources' rows, then the facts'). Written from the hook itself, a fact row could be locked before the
	 * resource's new version was inserted in one transaction and after it in another: two bookings of one slot through
	 * two nodes deadlocked on PostgreSQL instead of one being refused.
	 */
	private void work(Work work) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			entityManager.unwrap(Session.class).doWork(work::run);
			return;
		}
		@SuppressWarnings("unchecked")
		List<Work> pending = (List<Work>) TransactionSynchronizationManager.getResource(PENDING);
		if (pending == null) {
			List<Work> works = new ArrayList<>();
			TransactionSynchronizationManager.bindResource(PENDING, works);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void beforeCommit(boolean readOnly) {
					TransactionSynchronizationManager.unbindResourceIfPossible(PENDING);
					Session session = entityManager.unwrap(Session.class);
					session.flush();
					session.doWork(connection -> {
						for (Work each : works) {
							each.run(connection);
						}
					});
				}

				@Override
				public void afterCompletion(int status) {
					TransactionSynchronizationManager.unbindResourceIfPossible(PENDING);
				}
			});
			pending = works;
		}
		pending.add(work);
	}

	/** The key of a transaction's facts still to write. */
	private static final Object PENDING = new Object();
}
