package fr.sas.fhir.search;

import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.PageLinks;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.context.api.BundleInclusionRule;
import fr.sas.fhir.common.EncodedAnswers;
import java.util.ArrayList;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.api.BundleLinks;
import ca.uhn.fhir.rest.api.IVersionSpecificBundleFactory;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import fr.sas.fhir.common.SasProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.InstantType;
import org.springframework.stereotype.Component;

/**
 * Answers the guide's three slot searches by the dedicated path ({@link GuideSearchRequest}, {@link GuideSearchExecutor})
 * and every other search by HAPI's generic one. The request keeps HAPI's pipeline around the dedicated path:
 * the pre-handled hooks run before it (where authorization sits), the resources go through the pre-show hooks,
 * the Bundle through the outgoing-response hooks, and HAPI's serializer writes it (format, pretty print, gzip).
 */
@Component
@Interceptor
public class GuideSearchInterceptor {

	/** Request header naming the search path, honoured only with {@code sas.search.plain-path-header}. */
	public static final String PATH_HEADER = "X-Sas-Search-Path";

	private final GuideSearchExecutor executor;
	private final SearchAnswerWriter writer;
	private final SasProperties properties;
	private final Clock clock;

	GuideSearchInterceptor(GuideSearchExecutor executor, SearchAnswerWriter writer, SasProperties properties,
			Clock clock) {
		this.executor = executor;
		this.writer = writer;
		this.properties = properties;
		this.clock = clock;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean answerGuideSearch(RequestDetails request, ServletRequestDetails servletRequest,
			HttpServletRequest httpRequest, HttpServletResponse httpResponse) throws IOException {
		try {
			Optional<GuideSearchRequest> search = guideSearch(request);
			if (search.isEmpty()) {
				return true;
			}
			return answer(search.get(), request, httpRequest, httpResponse);
		} catch (InvalidRequestException refused) {
			EncodedAnswers.refuse(request, refused);
			return false;
		}
	}

	private boolean answer(GuideSearchRequest search, RequestDetails request, HttpServletRequest httpRequest,
			HttpServletResponse httpResponse) throws IOException {
		EncodedAnswers.preHandled(request);
		// The guide's Bundle profiles allow one link (self): without _count every match comes in one page, up to
		// the largest page (the platform asks for _count=1000 anyway).
		int pageSize = search.count() != null ? search.count() : properties.getFhir().getMaxPageSize();
		GuideSearchExecutor.Page page = executor.execute(search, request, pageSize);
		String profile = SearchBundleProfiles.of(search.shape(), page.entries());
		List<SearchAnswerWriter.Entry> entries = new ArrayList<>(page.entries().size());
		for (GuideSearchExecutor.Entry entry : page.entries()) {
			entries.add(new SearchAnswerWriter.Entry(entry.resource(), entry.match()));
		}
		writer.write(entries, resources -> bundle(search, request, page, resources, pageSize, profile), request,
				httpRequest, httpResponse);
		return false;
	}

	private Optional<GuideSearchRequest> guideSearch(RequestDetails request) {
		SasProperties.Search settings = properties.getSearch();
		if (!settings.isDedicatedPath() || !GuideSearchRequest.isSearch(request)) {
			return Optional.empty();
		}
		if (settings.isPlainPathHeader() && "hapi".equalsIgnoreCase(request.getHeader(PATH_HEADER))) {
			return Optional.empty();
		}
		return GuideSearchRequest.read(request.getResourceName(), request.getParameters(), settings.getMaxPractitioners(),
				settings.getMaxSosAssociations(), properties.getFhir().getMaxPageSize(), clock.getZone());
	}

	private Bundle bundle(GuideSearchRequest search, RequestDetails request, GuideSearchExecutor.Page page,
			List<IBaseResource> resources, int pageSize, String profile) {
		String serverBase = request.getFhirServerBase();
		boolean pretty = RestfulServerUtils.prettyPrintResponse(request.getServer(), request);
		Set<Include> includes = search.includes().stream()
				.map(spec -> new Include(spec.sourceType() + ":" + spec.param()
						+ (spec.targetType() == null ? "" : ":" + spec.targetType()), spec.iterate()))
				.collect(Collectors.toSet());
		BundleLinks links = new BundleLinks(serverBase, includes, pretty, BundleTypeEnum.SEARCHSET);
		String self = RestfulServerUtils.createLinkSelf(serverBase, request);
		links.setSelf(self);
		if (pageSize > 0 && search.offset() + pageSize < page.matches()) {
			links.setNext(PageLinks.withOffset(self, search.offset() + pageSize, pageSize));
		}
		if (search.offset() > 0) {
			links.setPrev(PageLinks.withOffset(self, Math.max(0, search.offset() - pageSize), pageSize));
		}
		IVersionSpecificBundleFactory factory = request.getFhirContext().newBundleFactory();
		factory.addRootPropertiesToBundle(UUID.randomUUID().toString(), links, page.total(),
				new InstantType(Date.from(clock.instant())));
		factory.addResourcesToBundle(resources, BundleTypeEnum.SEARCHSET, serverBase,
				BundleInclusionRule.BASED_ON_INCLUDES, includes);
		Bundle bundle = (Bundle) factory.getResourceBundle();
		bundle.getMeta().addProfile(profile);
		return bundle;
	}
}
