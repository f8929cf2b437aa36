package fr.sas.fhir.security;

/**
 * What a caller is to this server. Clients (certificates, or a TLS-terminating proxy's header) are publishers,
 * the SAS platform, regulation software (LRM) or administrators; people (Pro Santé Connect tokens) are
 * regulators or analysts. The README's role matrix says what each may do; {@link RoleMatrix} enforces it.
 */
public enum Role {
	/** A publisher (éditeur): writes its own agendas, sends appointments (INT_R03). */
	PUBLISHER,
	/** The SAS platform itself: regulator accounts (INT_R02), reads what its searches need. */
	PLATFORM,
	/** A regulation software: the contextual search, the guide's searches, the appointments of its SAS. */
	LRM,
	/** Conformance content, system-level operations ($expunge, reindex), the audit trail. */
	ADMIN,
	/** A regulator (OSNP) with a Pro Santé Connect token: the searches and booking. */
	REGULATOR,
	/** An analyst: reads and searches every business type, never writes. */
	ANALYST,
	/** The embedded default on the loopback address with no authentication configured: a local trial. */
	LOCAL_TRIAL;

	public String authority() {
		return "ROLE_" + name();
	}
}
