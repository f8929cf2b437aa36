package fr.sas.fhir.support;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A suite's {@link SecondNode}, started before its tests and closed after them:
 * {@code @RegisterExtension static final SecondNodeExtension nodeB = new SecondNodeExtension(...)}. The arguments are
 * asked for when the node starts, so they may name what only exists by then (the search engine's address).
 */
public final class SecondNodeExtension implements BeforeAllCallback, AfterAllCallback {

	private final Supplier<String[]> arguments;
	private SecondNode node;

	public SecondNodeExtension() {
		this(() -> new String[0]);
	}

	public SecondNodeExtension(Supplier<String[]> arguments) {
		this.arguments = arguments;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		node = SecondNode.start(arguments.get());
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (node != null) {
			node.close();
		}
	}

	public FhirHttp fhir() {
		return node.fhir();
	}

	public <T> T bean(Class<T> type) {
		return node.bean(type);
	}
}
