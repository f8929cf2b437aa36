package fr.sas.fhir.security;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The configured clients, found by certificate subject: Common Name and Organizational Unit matched exactly
 * (case, spaces and accents included, as IGC-Santé issues them), or by client id.
 */
final class ClientRegistry {

	private final List<SecurityProperties.Client> clients;

	ClientRegistry(List<SecurityProperties.Client> clients) {
		for (SecurityProperties.Client client : clients) {
			if (client.getId() == null || client.getId().isBlank() || client.getRole() == null
					|| client.getCommonName() == null || client.getCommonName().isBlank()) {
				throw new IllegalStateException("sas.security.clients: every client needs an id, a role and a common-name");
			}
			if (client.getRole() == Role.REGULATOR || client.getRole() == Role.ANALYST || client.getRole() == Role.LOCAL_TRIAL) {
				throw new IllegalStateException("sas.security.clients[" + client.getId() + "]: role " + client.getRole()
						+ " is a person's role (tokens), not a client's");
			}
		}
		this.clients = List.copyOf(clients);
	}

	boolean isEmpty() {
		return clients.isEmpty();
	}

	/** The subject's CN and OU values, in certificate order. */
	record Subject(String commonName, List<String> organizationalUnits) {

		static Subject of(X509Certificate certificate) {
			return parse(certificate.getSubjectX500Principal().getName());
		}

		/** An RFC 2253 distinguished name ("CN=...,OU=...,O=..."); an unreadable name has no CN. */
		static Subject parse(String distinguishedName) {
			String cn = null;
			List<String> ous = new ArrayList<>();
			try {
				for (Rdn rdn : new LdapName(distinguishedName).getRdns()) {
					if (rdn.getType().equalsIgnoreCase("CN") && cn == null) {
						cn = String.valueOf(rdn.getValue());
					} else if (rdn.getType().equalsIgnoreCase("OU")) {
						ous.add(String.valueOf(rdn.getValue()));
					}
				}
			} catch (InvalidNameException | IllegalArgumentException e) {
				return new Subject(null, List.of());
			}
			return new Subject(cn, ous);
		}

		@Override
		public String toString() {
			return "CN=" + commonName + (organizationalUnits.isEmpty() ? "" : ",OU=" + String.join("+", organizationalUnits));
		}
	}

	Optional<SecurityProperties.Client> bySubject(Subject subject) {
		if (subject.commonName() == null) {
			return Optional.empty();
		}
		return clients.stream().filter(c -> c.getCommonName().equals(subject.commonName()))
				.filter(c -> c.getOrganizationalUnit().isEmpty() ? subject.organizationalUnits().isEmpty()
						: subject.organizationalUnits().contains(c.getOrganizationalUnit()))
				.findFirst();
	}

	Optional<SecurityProperties.Client> byId(String id) {
		return clients.stream().filter(c -> c.getId().equals(id)).findFirst();
	}
}
