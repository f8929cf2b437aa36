package fr.sas.fhir.common;

/**
 * Marks a Spring bean of a feature package that carries HAPI {@code @Operation} methods (a plain provider):
 * the REST server registers every such bean, so the wiring needs no import of the feature.
 */
public interface FhirOperationProvider {}
