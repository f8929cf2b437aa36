package fr.sas.fhir.common;

/**
 * A request refused before FHIR processing (413 by the HTTP layer, 401, 403, 429 by authentication), published as
 * a Spring application event so the audit trail records it without the refusing package knowing of it.
 */
public record RequestRefused(String method, String uri, String address, int status, String rule, String message) {}
