package fr.sas.fhir.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request body over {@code sas.http.max-body-size} with 413 and an OperationOutcome, before FHIR
 * processing reads it: at once when {@code Content-Length} says so; a chunked body is read up to the limit (HAPI
 * reads the whole body into memory anyway) and refused as soon as it passes it.
 */
class RequestBodyLimit extends OncePerRequestFilter {

	private final long limit;
	private final java.util.function.Consumer<fr.sas.fhir.common.RequestRefused> refusals;

	RequestBodyLimit(long limit, java.util.function.Consumer<fr.sas.fhir.common.RequestRefused> refusals) {
		this.limit = limit;
		this.refusals = refusals;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long declared = request.getContentLengthLong();
		if (declared > limit) {
			refuse(request, response, declared + " bytes");
			return;
		}
		if (declared < 0 && request.getHeader("Transfer-Encoding") != null) {
			byte[] body = readAtMost(request.getInputStream(), limit);
			if (body == null) {
				refuse(request, response, "more than " + limit + " bytes");
				return;
			}
			chain.doFilter(new BufferedBody(request, body), response);
			return;
		}
		chain.doFilter(request, response);
	}

	private void refuse(HttpServletRequest request, HttpServletResponse response, String size) throws IOException {
		refusals.accept(new fr.sas.fhir.common.RequestRefused(request.getMethod(), request.getRequestURI(), request.getRemoteAddr(),
				413, OperationOutcomes.RULE, "body of " + size + " over sas.http.max-body-size"));
		response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
		response.setContentType(OperationOutcomes.CONTENT_TYPE);
		// The rest of the body is not read: the connection is closed after this answer.
		response.setHeader("Connection", "close");
		response.getWriter().write(OperationOutcomes.json(413, "the request body (" + size + ") is larger than the "
				+ limit + " bytes this server accepts (sas.http.max-body-size); send smaller transactions", null));
	}

	/** The body, or null when it is longer than {@code limit}. */
	private static byte[] readAtMost(InputStream in, long limit) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		long total = 0;
		for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
			total += n;
			if (total > limit) {
				return null;
			}
			out.write(buffer, 0, n);
		}
		return out.toByteArray();
	}

	/** A request whose body has been read already. */
	private static final class BufferedBody extends HttpServletRequestWrapper {

		private final byte[] body;

		BufferedBody(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public int getContentLength() {
			return body.length;
		}

		@Override
		public long getContentLengthLong() {
			return body.length;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(body);
			return new ServletInputStream() {
				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("the body is already read");
				}
			};
		}
	}
}
