package fr.sas.fhir.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a query string that cannot be decoded (a {@code %} not followed by two hex digits, escapes that are not
 * UTF-8) with 400 and an OperationOutcome naming the parameter: HAPI would otherwise answer 500 from its URL
 * decoder. Raw characters are left alone: the container already accepted them.
 */
class QueryStringCheck extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String query = request.getQueryString();
		String problem = query == null ? null : problem(query);
		if (problem != null) {
			response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
			response.setContentType(OperationOutcomes.CONTENT_TYPE);
			response.getWriter().write(OperationOutcomes.json(400, problem, parameterOf(problem)));
			return;
		}
		chain.doFilter(request, response);
	}

	/** What is wrong with the query, naming the parameter first ("name: ..."), or null. */
	static String problem(String query) {
		for (String part : query.split("&")) {
			int eq = part.indexOf('=');
			String name = eq < 0 ? part : part.substring(0, eq);
			String problem = escapeProblem(part);
			if (problem != null) {
				return (name.isEmpty() ? "(no name)" : name) + ": " + problem
						+ " (a '%' starts an escape of two hex digits; send a literal '%' as %25)";
			}
		}
		return null;
	}

	private static String escapeProblem(String part) {
		ByteBuffer bytes = ByteBuffer.allocate(part.length());
		boolean escaped = false;
		for (int i = 0; i < part.length(); i++) {
			char c = part.charAt(i);
			if (c != '%') {
				continue;
			}
			if (i + 2 >= part.length() || Character.digit(part.charAt(i + 1), 16) < 0
					|| Character.digit(part.charAt(i + 2), 16) < 0) {
				return "malformed escape '" + part.substring(i, Math.min(part.length(), i + 3)) + "'";
			}
			escaped = true;
			i += 2;
		}
		if (!escaped) {
			return null;
		}
		for (int i = 0; i < part.length(); i++) {
			char c = part.charAt(i);
			if (c == '%') {
				bytes.put((byte) Integer.parseInt(part.substring(i + 1, i + 3), 16));
				i += 2;
			} else if (c < 0x80) {
				bytes.put((byte) c);
			} else {
				return null; // a raw non-ASCII character: the container decoded the line already
			}
		}
		bytes.flip();
		try {
			StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
			return null;
		} catch (CharacterCodingException e) {
			return "escapes that are not UTF-8";
		}
	}

	private static String parameterOf(String problem) {
		return problem.substring(0, problem.indexOf(':'));
	}
}
