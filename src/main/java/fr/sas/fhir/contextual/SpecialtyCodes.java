package fr.sas.fhir.contextual;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.LookupCodeRequest;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.springframework.transaction.annotation.Transactional;

/**
 * Whether a specialty code is one this server knows: a code of TRE_R38 in the installed terminology (the
 * project's extract, or the full code system an operator loads), or a specialty of at least one card (publishers
 * send codes of the full TRE_R38, which the extract may not hold).
 */
class SpecialtyCodes {

	private final IValidationSupport validationSupport;

	@PersistenceContext
	private EntityManager entityManager;

	SpecialtyCodes(IValidationSupport validationSupport) {
		this.validationSupport = validationSupport;
	}

	@Transactional(readOnly = true)
	public boolean isKnown(String code) {
		var lookup = validationSupport.lookupCode(new ValidationSupportContext(validationSupport),
				new LookupCodeRequest(ContextualQuery.TRE_R38_URL, code));
		if (lookup != null && lookup.isFound()) {
			return true;
		}
		return entityManager.createQuery("select count(c) from ContextualCard c join c.specialties s where s = :code", Long.class)
				.setParameter("code", code).getSingleResult() > 0;
	}
}
