package fr.sas.fhir.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.web.ServerProperties;

/** The embedded default serves a local trial on the loopback address only, and refuses to start exposed. */
class SecurityModeTest {

	private static ServerProperties boundTo(String address) throws Exception {
		ServerProperties server = new ServerProperties();
		server.setAddress(address == null ? null : InetAddress.getByName(address));
		return server;
	}

	private static SecurityConfig.SecurityMode mode(SecurityProperties properties, ServerProperties server) {
		return new SecurityConfig().securityMode(properties, server, new ClientRegistry(properties.getClients()));
	}

	@Test
	void theLoopbackAddressWithNothingConfiguredIsTheLocalTrial() throws Exception {
		assertThat(mode(new SecurityProperties(), boundTo("127.0.0.1")).localTrial()).isTrue();
		assertThat(mode(new SecurityProperties(), boundTo("::1")).localTrial()).isTrue();
	}

	@Test
	void anyOtherAddressWithoutAuthenticationRefusesToStart() {
		for (String address : new String[] {"0.0.0.0", null, "10.1.2.3"}) {
			assertThatThrownBy(() -> mode(new SecurityProperties(), boundTo(address)))
					.as(String.valueOf(address)).isInstanceOf(IllegalStateException.class)
					.hasMessageContaining("Refusing to start").hasMessageContaining("server.ssl.trust-store");
		}
	}

	@Test
	void anIssuerOrARegisteredClientIsNotTheLocalTrialOnAnyAddress() throws Exception {
		SecurityProperties tokens = new SecurityProperties();
		tokens.getOidc().setIssuer("https://psc.test");
		assertThat(mode(tokens, boundTo("0.0.0.0")).localTrial()).isFalse();
		assertThat(mode(tokens, boundTo("127.0.0.1")).localTrial()).isFalse();

		SecurityProperties clients = new SecurityProperties();
		SecurityProperties.Client client = new SecurityProperties.Client();
		client.setId("editeur-x");
		client.setRole(Role.PUBLISHER);
		client.setCommonName("Éditeur X");
		clients.setClients(List.of(client));
		assertThat(mode(clients, boundTo("0.0.0.0")).localTrial()).isFalse();
	}

	@Test
	void aPersonsRoleIsNotAClientsRole() {
		SecurityProperties.Client client = new SecurityProperties.Client();
		client.setId("x");
		client.setRole(Role.REGULATOR);
		client.setCommonName("X");
		assertThatThrownBy(() -> new ClientRegistry(List.of(client))).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("person's role");
	}
}
