package fr.sas.fhir.transmission;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes the outbox: in rounds, oldest first, each round under the relay lock (one node at a time) and
 * confirmed by the broker (publisher confirms) before its messages are marked sent. A round that fails (broker
 * down, connection cut, no confirm in time, a message returned unroutable) leaves its messages pending and the
 * relay waits, doubling the wait up to a ceiling; since a round is all or nothing and rounds go in order, the
 * messages of an appointment leave in the order they were recorded. A message whose {@code dateTimeExpires}
 * passed is marked expired, not sent. Woken after each commit that records a message, and every
 * {@code relay.interval} anyway (after a restart, what was recorded and not sent goes then). While it waits, it
 * tries to open a connection every {@code relay.reconnect-probe}: a connection that opens (the broker is back,
 * whoever opened it) ends the wait at once, so the back-off never delays messages past the broker's return.
 */
public class LrmRelay implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(LrmRelay.class);

	private final LrmOutbox outbox;
	private final RabbitTemplate rabbit;
	private final EdxlEnvelope envelopes;
	private final TransmissionProperties properties;
	private final Clock clock;
	private final TransactionTemplate transaction;
	private final Set<String> returned = ConcurrentHashMap.newKeySet();
	private final AtomicBoolean wakeQueued = new AtomicBoolean();
	private final AtomicBoolean probing = new AtomicBoolean();
	private final ConnectionFactory connections;
	private ScheduledExecutorService executor;
	private volatile boolean running;
	/** End of the back-off, on the monotonic clock: a wait, not a time rule (the server's Clock decides expiry). */
	private volatile long notBefore = System.nanoTime();
	private int failures;

	@PersistenceContext
	private EntityManager entityManager;

	LrmRelay(LrmOutbox outbox, RabbitTemplate rabbit, EdxlEnvelope envelopes, TransmissionProperties properties, Clock clock,
			PlatformTransactionManager transactions, ConnectionFactory connections) {
		this.outbox = outbox;
		this.connections = connections;
		this.rabbit = rabbit;
		this.envelopes = envelopes;
		this.properties = properties;
		this.clock = clock;
		this.transaction = new TransactionTemplate(transactions);
		rabbit.setMandatory(true);
		rabbit.setReturnsCallback(r -> returned.add(String.valueOf(r.getMessage().getMessageProperties().getMessageId())));
		connections.addConnectionListener(connection -> brokerBack());
	}

	/** After a commit that recorded a message: a round soon, on the relay's thread (never the request's). */
	public void wake() {
		if (running && wakeQueued.compareAndSet(false, true)) {
			try {
				executor.execute(() -> {
					wakeQueued.set(false);
					drain();
				});
			} catch (java.util.concurrent.RejectedExecutionException stopping) {
				wakeQueued.set(false); // shutting down: the next start sends what is pending
			}
		}
	}

	/** The broker is reachable again (a new connection): what waited goes now, not at the end of the back-off. */
	void brokerBack() {
		if (running && notBefore - System.nanoTime() > 0) {
			try {
				executor.execute(() -> {
					notBefore = System.nanoTime();
					failures = 0;
					drain();
				});
			} catch (java.util.concurrent.RejectedExecutionException stopping) {
				// shutting down
			}
		}
	}

	/** Rounds until the outbox is empty or a round fails; then the back-off. */
	void drain() {
		if (notBefore - System.nanoTime() > 0) {
			return;
		}
		try {
			Round round;
			do {
				round = transaction.execute(tx -> round());
			} while (round != null && round.failure == null && round.full && running);
			if (round != null && round.failure != null) {
				backOff(round.failure);
			} else {
				failures = 0;
			}
		} catch (RelayBusy busy) {
			// the next round will try again
		} catch (RuntimeException e) {
			backOff(e.toString());
		}
	}

	private void backOff(String cause) {
		failures++;
		Duration wait = properties.getRelay().getBackoff().multipliedBy(1L << Math.min(failures - 1, 20));
		if (wait.compareTo(properties.getRelay().getMaxBackoff()) > 0) {
			wait = properties.getRelay().getMaxBackoff();
		}
		notBefore = System.nanoTime() + wait.toNanos();
		LOG.warn("messages to the LRMs not sent ({}); next try in {}, or as soon as a connection to the broker opens",
				cause, wait);
		executor.schedule(this::drain, wait.toMillis(), TimeUnit.MILLISECONDS);
		if (probing.compareAndSet(false, true)) {
			scheduleProbe();
		}
	}

	/**
	 * While waiting: opens the broker connection if it is closed. The factory's listener calls {@link #brokerBack}
	 * when one opens; an open connection (a round failed for another reason) fires nothing and the wait holds. A
	 * plain TCP connect comes first, so a broker that refuses connections costs no AMQP attempt (nor its log line).
	 */
	private void probe() {
		if (!running || notBefore - System.nanoTime() <= 0) {
			probing.set(false);
			return;
		}
		if (listening()) {
			try {
				connections.createConnection();
			} catch (AmqpException stillAway) {
				// the next probe tries again
			}
		}
		scheduleProbe();
	}

	private boolean listening() {
		String host = connections.getHost();
		if (host == null) {
			return true; // several addresses: let the factory try them
		}
		try (java.net.Socket socket = new java.net.Socket()) {
			socket.connect(new java.net.InetSocketAddress(host, connections.getPort()), 500);
			return true;
		} catch (java.io.IOException refused) {
			return false;
		}
	}

	private void scheduleProbe() {
		try {
			executor.schedule(this::probe, properties.getRelay().getReconnectProbe().toMillis(), TimeUnit.MILLISECONDS);
		} catch (java.util.concurrent.RejectedExecutionException stopping) {
			probing.set(false);
		}
	}

	record Round(boolean full, String failure) {}

	/** The relay lock is held by another node. */
	private static final class RelayBusy extends RuntimeException {
		RelayBusy() {
			super(null, null, false, false);
		}
	}

	private Round round() {
		if (!lock()) {
			throw new RelayBusy(); // another node relays now: this round's transaction is rolled back, quietly
		}
		int size = properties.getRelay().getBatchSize();
		List<LrmMessage> batch = outbox.pending(size);
		Instant now = clock.instant();
		List<LrmMessage> sending = new ArrayList<>();
		for (LrmMessage message : batch) {
			if (!message.getExpiresAt().isAfter(now)) {
				outbox.expired(message.getId(), message.getExpiresAt());
				LOG.warn("message {} about {} expired before it could be sent", message.getDistributionId(), message.getAppointment());
			} else {
				sending.add(message);
			}
		}
		if (sending.isEmpty()) {
			return new Round(batch.size() == size, null);
		}
		List<Long> ids = sending.stream().map(LrmMessage::getId).toList();
		String failure = publish(sending, now);
		if (failure != null) {
			outbox.attemptFailed(ids, failure);
			return new Round(false, failure);
		}
		outbox.sent(ids, now);
		return new Round(batch.size() == size, null);
	}

	/** Null when the broker confirmed every message and returned none. */
	private String publish(List<LrmMessage> messages, Instant now) {
		long timeout = properties.getRelay().getConfirmTimeout().toMillis();
		try {
			rabbit.invoke(operations -> {
				for (LrmMessage message : messages) {
					String recipient = message.getRecipient();
					operations.send(properties.expand(properties.getExchange(), recipient),
							properties.expand(properties.getRoutingKey(), recipient), amqp(message, now));
				}
				operations.waitForConfirmsOrDie(timeout);
				return null;
			});
		} catch (AmqpException | IllegalStateException e) {
			return e.getClass().getSimpleName() + ": " + e.getMessage();
		}
		List<String> bounced = messages.stream().map(LrmMessage::getDistributionId).filter(returned::remove).toList();
		return bounced.isEmpty() ? null : "returned by the broker, no route for " + bounced;
	}

	private Message amqp(LrmMessage message, Instant now) {
		MessageProperties headers = new MessageProperties();
		headers.setContentType(MessageProperties.CONTENT_TYPE_JSON);
		headers.setContentEncoding("UTF-8");
		headers.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		headers.setMessageId(message.getDistributionId());
		return new Message(envelopes.write(message, now), headers);
	}

	/** The relay lock, without waiting: false when another node holds it. */
	private boolean lock() {
		try {
			LrmRelayLock lock = entityManager.find(LrmRelayLock.class, LrmRelayLock.ID, LockModeType.PESSIMISTIC_WRITE,
					Map.of("jakarta.persistence.lock.timeout", 0));
			if (lock == null) {
				entityManager.persist(new LrmRelayLock(LrmRelayLock.ID));
				entityManager.flush();
			}
			return true;
		} catch (PersistenceException | DataAccessException e) {
			return false;
		}
	}

	@Override
	public void start() {
		ScheduledThreadPoolExecutor relayThread = new ScheduledThreadPoolExecutor(1, r -> {
			Thread thread = new Thread(r, "lrm-relay");
			thread.setDaemon(true);
			return thread;
		});
		// On stop, the waits (back-off, probes, the periodic look) are dropped: only a round under way finishes.
		relayThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		relayThread.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
		executor = relayThread;
		running = true;
		long every = properties.getRelay().getInterval().toMillis();
		executor.scheduleWithFixedDelay(this::drain, every, every, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		running = false;
		executor.shutdown();
		try {
			executor.awaitTermination(10, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}
}
