package fr.sas.fhir.security;

import java.nio.file.Files;
import org.junit.jupiter.api.Nested;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The role matrix and the refusals on the embedded default (H2 + Lucene), deployed with TLS and tokens. */
class H2SecurityTest extends SecuredServer {

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws Exception {
		secured(registry);
		registry.add("sas.data-dir", () -> DIR.resolve("h2-data").toString());
	}

	@Nested
	class Matrix extends SecurityContract {
		@Override
		SecuredServer server() {
			return H2SecurityTest.this;
		}
	}
}
