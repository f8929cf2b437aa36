package fr.sas.fhir.rules;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.ServedResourceTypes;
import fr.sas.fhir.common.WriteWarnings;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.stereotype.Component;

/**
 * The guide's pages print some search parameters in a case FHIR does not know: {@code PUT
 * Appointment?Identifier=} (appointment page) and {@code _include:iterate=Location:Organization} (SOS page).
 * FHIR parameter names are case-sensitive, so HAPI would refuse the first ("unknown search parameter") and
 * ignore the second. A publisher that follows the page gets what it meant: a name that is not a search
 * parameter of the type but matches exactly one of them ignoring case is read as that one, and a warning
 * ({@code SAS-parameter-name}, in the {@code X-FHIR-Request-Validation} header) gives the expected form. Runs
 * before every other hook that reads the parameters or the conditional URL.
 */
@Component
@Interceptor(order = -100)
public class ParameterNameTolerance {

	static final String RULE = "SAS-parameter-name";
	private static final Set<String> INCLUDES = Set.of("_include", "_include:iterate", "_revinclude", "_revinclude:iterate");

	private final ISearchParamRegistry searchParams;

	public ParameterNameTolerance(ISearchParamRegistry searchParams) {
		this.searchParams = searchParams;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void readTheGuidesCase(RequestDetails request) {
		String type = request.getResourceName();
		if (type == null || !ServedResourceTypes.ALL.contains(type) || request.getParameters().isEmpty()) {
			return;
		}
		List<OperationOutcome.OperationOutcomeIssueComponent> warnings = new ArrayList<>();
		Map<String, String> renamed = new LinkedHashMap<>();
		Map<String, String[]> parameters = new LinkedHashMap<>();
		for (Map.Entry<String, String[]> parameter : request.getParameters().entrySet()) {
			String name = parameter.getKey();
			String fixed = fixedName(type, name);
			if (!fixed.equals(name)) {
				renamed.put(name, fixed);
				warnings.add(warning(name, "'" + name + "' read as '" + fixed + "': FHIR search parameter names are "
						+ "case-sensitive, send '" + fixed + "'"));
			}
			String[] values = parameter.getValue();
			if (INCLUDES.contains(fixed)) {
				values = values.clone();
				for (int i = 0; i < values.length; i++) {
					String value = fixedInclude(values[i]);
					if (!value.equals(values[i])) {
						warnings.add(warning(fixed, "'" + values[i] + "' read as '" + value + "': FHIR search "
								+ "parameter names are case-sensitive, send " + fixed + "=" + value));
						values[i] = value;
					}
				}
			}
			parameters.merge(fixed, values, ParameterNameTolerance::concat);
		}
		if (warnings.isEmpty()) {
			return;
		}
		request.setParameters(parameters);
		if (!renamed.isEmpty() && isConditionalWrite(request)) {
			request.setFixedConditionalUrl(type + "?" + renameInQuery(request.getCompleteUrl(), renamed));
		}
		WriteWarnings.add(request, warnings);
	}

	/** The search parameter this name means: itself when known, else the one known name equal to it ignoring case. */
	private String fixedName(String type, String name) {
		if (name.startsWith("_")) {
			return name;
		}
		int end = indexOfAny(name, ':', '.');
		String base = end < 0 ? name : name.substring(0, end);
		return caseInsensitiveMatch(type, base).map(known -> known + name.substring(base.length())).orElse(name);
	}

	/** {@code Source:param[:Target]} with {@code param} in the case the Source type knows it. */
	private String fixedInclude(String value) {
		String[] parts = value.trim().split(":", -1);
		if (parts.length < 2 || !ServedResourceTypes.ALL.contains(parts[0])) {
			return value;
		}
		Optional<String> param = caseInsensitiveMatch(parts[0], parts[1]);
		if (param.isEmpty()) {
			return value;
		}
		parts[1] = param.get();
		return String.join(":", parts);
	}

	private Optional<String> caseInsensitiveMatch(String type, String name) {
		Set<String> known = searchParams.getActiveSearchParams(type,
				ISearchParamRegistry.SearchParamLookupContextEnum.ALL).getSearchParamNames();
		if (known.contains(name)) {
			return Optional.empty();
		}
		List<String> matches = known.stream().filter(k -> k.equalsIgnoreCase(name)).collect(Collectors.toList());
		return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
	}

	private static boolean isConditionalWrite(RequestDetails request) {
		RequestTypeEnum method = request.getRequestType();
		return (method == RequestTypeEnum.PUT || method == RequestTypeEnum.DELETE || method == RequestTypeEnum.PATCH)
				&& (request.getId() == null || !request.getId().hasIdPart());
	}

	/** The query of the URL with the renamed parameter names, every value exactly as the client sent it. */
	static String renameInQuery(String url, Map<String, String> renamed) {
		int q = url.indexOf('?');
		String query = q < 0 ? "" : url.substring(q + 1);
		List<String> parts = new ArrayList<>();
		for (String part : query.split("&")) {
			int eq = part.indexOf('=');
			String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
			String fixed = renamed.get(name);
			parts.add(fixed == null ? part : fixed + (eq < 0 ? "" : part.substring(eq)));
		}
		return String.join("&", parts);
	}

	private static OperationOutcome.OperationOutcomeIssueComponent warning(String parameter, String message) {
		return RuleViolations.issue(OperationOutcome.IssueSeverity.WARNING, OperationOutcome.IssueType.INVALID,
				parameter, RULE, message);
	}

	private static int indexOfAny(String text, char a, char b) {
		int i = text.indexOf(a);
		int j = text.indexOf(b);
		return i < 0 ? j : j < 0 ? i : Math.min(i, j);
	}

	private static String[] concat(String[] a, String[] b) {
		String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}
}
