package fr.sas.fhir.contextual;

/** A card as the index gives it, without loading it: its id, kind and position. */
record CardHit(String id, ContextualCard.Kind kind, GeoPoint position) {}
