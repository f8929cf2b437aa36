package fr.sas.fhir.rules;

import fr.sas.fhir.common.NationalIdentifiers;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.model.api.IQueryParameterType;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Searches are tolerant (FAQ: whatever form the publisher's software holds, answers carry prefixed ids): a search
 * by an unprefixed RPPS, ADELI, FINESS or SIRET also matches the stored prefixed form. The prefixed value is
 * added to the same OR list, for {@code identifier} tokens and for chains ending in {@code identifier}
 * ({@code schedule.actor:Practitioner.identifier}, {@code actor:Location.organization.identifier}).
 */
@Component
@Interceptor
public class IdentifierSearchTolerance {

	@Hook(Pointcut.STORAGE_PRESEARCH_REGISTERED)
	public void addPrefixedAlternatives(SearchParameterMap map) {
		for (Map.Entry<String, List<List<IQueryParameterType>>> entry : map.entrySet()) {
			for (List<IQueryParameterType> orList : entry.getValue()) {
				List<IQueryParameterType> added = new ArrayList<>();
				for (IQueryParameterType param : orList) {
					alternative(param).filter(alt -> !contains(orList, alt)).ifPresent(added::add);
				}
				orList.addAll(added);
			}
		}
	}

	private static Optional<IQueryParameterType> alternative(IQueryParameterType param) {
		if (param instanceof TokenParam token && token.getModifier() == null) {
			return NationalIdentifiers.prefixed(token.getSystem(), token.getValue())
					.map(prefixed -> new TokenParam(token.getSystem(), prefixed));
		}
		if (param instanceof ReferenceParam reference && reference.getChain() != null
				&& reference.getChain().endsWith("identifier") && reference.getValue() != null) {
			String value = reference.getValue();
			int bar = value.indexOf('|');
			if (bar > 0) {
				String system = value.substring(0, bar);
				return NationalIdentifiers.prefixed(system, value.substring(bar + 1))
						.map(prefixed -> new ReferenceParam(reference.getResourceType(), reference.getChain(),
								system + "|" + prefixed));
			}
		}
		return Optional.empty();
	}

	private static boolean contains(List<IQueryParameterType> orList, IQueryParameterType candidate) {
		return orList.stream().anyMatch(p -> p.getValueAsQueryToken(null).equals(candidate.getValueAsQueryToken(null)));
	}
}
