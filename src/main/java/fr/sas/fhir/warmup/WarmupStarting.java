package fr.sas.fhir.warmup;

import org.springframework.context.ApplicationEvent;

/** Published when the warm-up starts, readiness refused; {@code base} is the FHIR base it sends its requests to. */
public class WarmupStarting extends ApplicationEvent {

	private final String base;

	public WarmupStarting(Object source, String base) {
		super(source);
		this.base = base;
	}

	public String base() {
		return base;
	}
}
