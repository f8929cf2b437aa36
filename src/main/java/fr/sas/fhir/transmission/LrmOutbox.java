package fr.sas.fhir.transmission;

import fr.sas.fhir.common.AppointmentDestinations;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The messages to the LRMs and their history. A message is recorded in the caller's transaction (the appointment
 * change's); every later change of state is a conditional update in its own transaction, so a late broker
 * confirm never takes back an LRM's acknowledgement, and is written to the history and counted
 * ({@code sas.lrm.messages{state}}).
 */
public class LrmOutbox implements AppointmentDestinations {

	private final Clock clock;
	private final MeterRegistry meters;
	private final TransactionTemplate ownTransaction;

	@PersistenceContext
	private EntityManager entityManager;

	LrmOutbox(Clock clock, MeterRegistry meters, PlatformTransactionManager transactions) {
		this.clock = clock;
		this.meters = meters;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** In the current transaction: the message, and the first line of its history. */
	LrmMessage record(LrmMessage message, String detail) {
		entityManager.persist(message); // a sequence id, assigned now: no flush needed for the history line
		entityManager.persist(new LrmMessageEvent(message.getId(), clock.instant(), message.getState(), detail));
		count(message.getState());
		return message;
	}

	/** The appointment's first message's time of recording (its {@code created} when the Appointment has none). */
	Optional<Instant> firstRecorded(String appointment) {
		return entityManager.createQuery("select m.recordedAt from LrmMessage m where m.appointment = :a order by m.id",
				Instant.class).setParameter("a", appointment).setMaxResults(1).getResultList().stream().findFirst();
	}

	/** Messages to send, oldest first; the caller's transaction holds the relay lock. */
	List<LrmMessage> pending(int limit) {
		return entityManager.createQuery("select m from LrmMessage m where m.state = :s order by m.id", LrmMessage.class)
				.setParameter("s", LrmMessageState.PENDING).setMaxResults(limit).getResultList();
	}

	/**
	 * Confirmed by the broker. When the LRM's acknowledgement (or an error) overtook the confirmation, the state
	 * stays what the answer made it, and the sending is recorded all the same.
	 */
	void sent(Collection<Long> ids, Instant at) {
		for (Long id : ids) {
			int changed = entityManager.createQuery("update LrmMessage m set m.state = :sent, m.sentAt = :at, "
							+ "m.attempts = m.attempts + 1 where m.id = :id and m.state = :pending")
					.setParameter("sent", LrmMessageState.SENT).setParameter("at", at).setParameter("id", id)
					.setParameter("pending", LrmMessageState.PENDING).executeUpdate();
			String detail = "confirmed by the broker";
			if (changed == 0) {
				changed = entityManager.createQuery("update LrmMessage m set m.sentAt = :at, m.attempts = m.attempts + 1 "
								+ "where m.id = :id and m.sentAt is null and m.state in :answered")
						.setParameter("at", at).setParameter("id", id)
						.setParameter("answered", List.of(LrmMessageState.ACKNOWLEDGED, LrmMessageState.ERROR)).executeUpdate();
				detail = "confirmed by the broker after the answer came back";
			}
			if (changed == 1) {
				entityManager.persist(new LrmMessageEvent(id, at, LrmMessageState.SENT, detail));
				count(LrmMessageState.SENT);
			}
		}
	}

	/** A round that failed: the messages stay pending, the attempt and its cause are kept. */
	void attemptFailed(Collection<Long> ids, String cause) {
		Instant now = clock.instant();
		for (Long id : ids) {
			entityManager.createQuery("update LrmMessage m set m.attempts = m.attempts + 1, m.detail = :d where m.id = :id")
					.setParameter("d", LrmMessage.detail(cause)).setParameter("id", id).executeUpdate();
			entityManager.persist(new LrmMessageEvent(id, now, LrmMessageState.PENDING, "not sent: " + cause));
		}
	}

	void expired(Long id, Instant expiresAt) {
		move(id, LrmMessageState.EXPIRED, null, "dateTimeExpires " + expiresAt + " passed before it could be sent",
				List.of(LrmMessageState.PENDING));
	}

	/** In its own transaction: the LRM's final acknowledgement (or its refusal). */
	boolean acknowledged(String distributionId, boolean refused, String step) {
		return Boolean.TRUE.equals(ownTransaction.execute(tx -> find(distributionId).map(m -> refused
				? move(m.getId(), LrmMessageState.ERROR, "refused", "refused by the LRM" + (step == null ? "" : " (step " + step + ")"),
						List.of(LrmMessageState.PENDING, LrmMessageState.SENT, LrmMessageState.ACKNOWLEDGED))
				: move(m.getId(), LrmMessageState.ACKNOWLEDGED, null, "acknowledged by the LRM" + (step == null ? "" : " (step " + step + ")"),
						List.of(LrmMessageState.PENDING, LrmMessageState.SENT))).orElse(false)));
	}

	/** In its own transaction: an error from the Hub or the LRM; never retried (the Hub would refuse it again). */
	boolean failed(String distributionId, String code, String cause) {
		return Boolean.TRUE.equals(ownTransaction.execute(tx -> find(distributionId).map(m -> move(m.getId(),
				LrmMessageState.ERROR, code, cause, List.of(LrmMessageState.PENDING, LrmMessageState.SENT,
						LrmMessageState.ACKNOWLEDGED))).orElse(false)));
	}

	Optional<LrmMessage> find(String distributionId) {
		return entityManager.createQuery("select m from LrmMessage m where m.distributionId = :d", LrmMessage.class)
				.setParameter("d", distributionId).getResultList().stream().findFirst();
	}

	/** Every message about an appointment, oldest first. */
	List<LrmMessage> ofAppointment(String appointment) {
		return entityManager.createQuery("select m from LrmMessage m where m.appointment = :a order by m.id", LrmMessage.class)
				.setParameter("a", appointment).getResultList();
	}

	@Override
	public Optional<String> destinationOf(String appointment) {
		return entityManager.createQuery("select m.recipient from LrmMessage m where m.appointment = :a and m.recipient is not null"
				+ " order by m.id desc", String.class).setParameter("a", appointment).setMaxResults(1).getResultList().stream().findFirst();
	}

	List<LrmMessageEvent> history(Long messageId) {
		return entityManager.createQuery("select e from LrmMessageEvent e where e.messageId = :m order by e.id",
				LrmMessageEvent.class).setParameter("m", messageId).getResultList();
	}

	private boolean move(Long id, LrmMessageState to, String code, String detail, List<LrmMessageState> from) {
		int changed = entityManager.createQuery("update LrmMessage m set m.state = :to, m.errorCode = :code, m.detail = :d "
						+ "where m.id = :id and m.state in :from")
				.setParameter("to", to).setParameter("code", code).setParameter("d", LrmMessage.detail(detail))
				.setParameter("id", id).setParameter("from", from).executeUpdate();
		if (changed == 1) {
			entityManager.persist(new LrmMessageEvent(id, clock.instant(), to, code == null ? detail : code + ": " + detail));
			count(to);
		}
		return changed == 1;
	}

	private void count(LrmMessageState state) {
		meters.counter("sas.lrm.messages", "state", state.name().toLowerCase()).increment();
	}
}
