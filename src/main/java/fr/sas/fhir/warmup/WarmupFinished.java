package fr.sas.fhir.warmup;

import java.time.Duration;
import java.util.Map;
import org.springframework.context.ApplicationEvent;

/**
 * Published when the warm-up has run, before the server reports ready: how many requests of each kind were sent
 * and how many were answered 200, and how long it took.
 */
public class WarmupFinished extends ApplicationEvent {

	private final Map<String, Integer> sent;
	private final Map<String, Integer> answered;
	private final Duration took;

	public WarmupFinished(Object source, Map<String, Integer> sent, Map<String, Integer> answered, Duration took) {
		super(source);
		this.sent = Map.copyOf(sent);
		this.answered = Map.copyOf(answered);
		this.took = took;
	}

	public Map<String, Integer> sent() {
		return sent;
	}

	public Map<String, Integer> answered() {
		return answered;
	}

	public Duration took() {
		return took;
	}
}
