package fr.sas.fhir.monitoring;

import fr.sas.fhir.common.JobLeases;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers the notices, oldest first, on one node at a time (the job lease {@code monitoring-notices}): a webhook
 * is a POST of the event's JSON with {@code X-Sas-Notice-Id} (2xx: delivered), an e-mail goes through Spring's
 * {@code JavaMailSender}. A failure leaves the notice pending, retried after a back-off doubled at each failure up
 * to {@code relay.max-backoff}; the later notices of that receiver wait behind it, so a receiver gets the events in
 * their order. Each delivery is marked sent in its own transaction at once.
 */
public class NoticeRelay {

	static final String JOB = "monitoring-notices";
	static final String NOTICE_HEADER = "X-Sas-Notice-Id";
	private static final Logger LOG = LoggerFactory.getLogger(NoticeRelay.class);

	private final MonitoringProperties properties;
	private final Clock clock;
	private final JobLeases leases;
	private final ObjectProvider<JavaMailSender> mail;
	private final TransactionTemplate ownTransaction;
	private final HttpClient http;

	@PersistenceContext
	private EntityManager entityManager;

	NoticeRelay(MonitoringProperties properties, Clock clock, JobLeases leases, ObjectProvider<JavaMailSender> mail,
			PlatformTransactionManager transactions) {
		this.properties = properties;
		this.clock = clock;
		this.leases = leases;
		this.mail = mail;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.http = HttpClient.newBuilder().connectTimeout(properties.relay().timeout()).build();
	}

	/** One round; false when another node relays now. */
	public boolean run() {
		return leases.runAlone(JOB, properties.relay().timeout().multipliedBy(60), this::round);
	}

	List<Notice> pending() {
		return entityManager.createQuery("select n from Notice n where n.state = :s order by n.id", Notice.class)
				.setParameter("s", Notice.State.PENDING.name()).getResultList();
	}

	List<Notice> ofIssue(String issueId) {
		return entityManager.createQuery("select n from Notice n where n.issueId = :i order by n.id", Notice.class)
				.setParameter("i", issueId).getResultList();
	}

	synchronized void round() {
		Instant now = clock.instant();
		Set<String> waiting = new HashSet<>();
		for (Notice notice : pending()) {
			String receiver = notice.getChannel() + " " + notice.getTarget();
			if (waiting.contains(receiver)) {
				continue;
			}
			if (notice.getNextAtInstant().isAfter(now)) {
				waiting.add(receiver); // its back-off: the later ones wait too (order per receiver)
				continue;
			}
			String error = deliver(notice);
			ownTransaction.executeWithoutResult(tx -> {
				Notice n = entityManager.find(Notice.class, notice.getId());
				if (error == null) {
					n.sent(clock.instant());
				} else {
					n.failed(clock.instant().plus(backoff(n.getAttempts() + 1)), error);
				}
			});
			if (error != null) {
				waiting.add(receiver);
				LOG.warn("notice {} ({} of {}) to {} not delivered (attempt {}): {}", notice.getId(), notice.getEvent(),
						notice.getIssueId(), notice.getTarget(), notice.getAttempts() + 1, error);
			}
		}
	}

	Duration backoff(int attempts) {
		Duration wait = properties.relay().backoff().multipliedBy(1L << Math.min(attempts - 1, 20));
		return wait.compareTo(properties.relay().maxBackoff()) > 0 ? properties.relay().maxBackoff() : wait;
	}

	/** Null when delivered, else why not. */
	private String deliver(Notice notice) {
		try {
			if ("webhook".equals(notice.getChannel())) {
				HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(notice.getTarget()))
						.timeout(properties.relay().timeout())
						.header("Content-Type", "application/json")
						.header(NOTICE_HEADER, Long.toString(notice.getId()))
						.POST(HttpRequest.BodyPublishers.ofString(notice.getPayload(), StandardCharsets.UTF_8)).build(),
						HttpResponse.BodyHandlers.ofString());
				return answer.statusCode() / 100 == 2 ? null : "HTTP " + answer.statusCode();
			}
			JavaMailSender sender = mail.getIfAvailable();
			if (sender == null) {
				return "no mail server configured (spring.mail.host)";
			}
			SimpleMailMessage message = new SimpleMailMessage();
			message.setFrom(properties.mailFrom());
			message.setTo(notice.getTarget().split(","));
			var payload = new com.fasterxml.jackson.databind.ObjectMapper().readTree(notice.getPayload());
			message.setSubject("[SAS] " + payload.path("severity").asText() + " alert " + notice.getEvent() + ": "
					+ payload.path("endpoint").asText() + " (" + payload.path("rule").asText() + ")");
			message.setText(payload.path("detail").asText() + "\n\ndeadline: " + payload.path("deadline").asText()
					+ "\nalert: " + payload.path("alert").asText() + "\nnotice: " + notice.getId() + "\n\n" + payload.toPrettyString());
			sender.send(message);
			return null;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return "interrupted";
		} catch (Exception e) {
			return e.getClass().getSimpleName() + ": " + e.getMessage();
		}
	}
}
