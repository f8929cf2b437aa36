package fr.sas.fhir.rules;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import com.google.common.util.concurrent.Striped;
import fr.sas.fhir.common.RuleViolations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Locks a request holds on this node until it completes (appointment identifiers, slots being booked), so that
 * concurrent requests on the same keys run one after the other. All the keys of a request are taken at once, in
 * the stripes' fixed order ({@link Striped#bulkGet}), each with a time-out: two requests on keys X, Y and Y, X
 * cannot wait for each other for ever; a request that waits too long gets 409 and holds nothing. Each kind of key
 * has its own instance, and a request takes the kinds in one order (identifiers before slots). The REST server
 * releases them ({@link #release}) at {@code SERVER_PROCESSING_COMPLETED}, after the commit.
 */
final class RequestLocks {

	static final String RULE = "SAS-concurrent-write";

	private final Striped<Lock> stripes = Striped.lock(1024);
	private final String userDataKey;
	private final Duration wait;

	RequestLocks(String name, Duration wait) {
		this.userDataKey = RequestLocks.class.getName() + "." + name;
		this.wait = wait;
	}

	/** Takes the locks of every key for this request, or throws 409 having taken none. */
	@SuppressWarnings("unchecked")
	void lockAll(RequestDetails request, Collection<String> keys, String what, String expression)
			throws InterruptedException {
		if (keys.isEmpty()) {
			return;
		}
		List<Lock> held = (List<Lock>) request.getUserData().computeIfAbsent(userDataKey, k -> new ArrayList<Lock>());
		List<Lock> taken = new ArrayList<>();
		long deadline = System.nanoTime() + wait.toNanos();
		for (Lock lock : stripes.bulkGet(keys)) {
			if (held.contains(lock) || taken.contains(lock)) {
				continue;
			}
			if (!lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				taken.forEach(Lock::unlock);
				OperationOutcome outcome = RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
						OperationOutcome.IssueType.CONFLICT, expression, RULE, what + " is being written by another request "
								+ "for more than " + wait.toSeconds() + " s; try again"));
				throw new ResourceVersionConflictException(what + " is being written by another request", outcome);
			}
			taken.add(lock);
		}
		held.addAll(taken);
	}

	/** Releases what this request holds. */
	void release(RequestDetails request) {
		if (request.getUserData().remove(userDataKey) instanceof List<?> held) {
			held.forEach(lock -> ((Lock) lock).unlock());
		}
	}

	boolean holdsAny(RequestDetails request) {
		return request.getUserData().get(userDataKey) instanceof List<?> held && !held.isEmpty();
	}
}
