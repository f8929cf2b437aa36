package fr.sas.fhir.common;

/**
 * Marks an interceptor whose outgoing-response or pre-show hooks never look at nor change a search answer (for
 * example, one that reports write warnings). The slot searches write their answer from already encoded resources
 * only while every such hook belongs to an interceptor marked so; any other hook gets the answer as resources.
 */
public interface LeavesSearchAnswersAlone {}
