package fr.sas.fhir.contextual;

/**
 * A département of the reference table: its barycentre (the mean position of its communes), the radius that
 * covers all of them, and the default search radius around a place in it.
 */
public record Departement(String code, String name, GeoPoint centre, double coverKm, double defaultRadiusKm) {}
