package fr.sas.fhir.conformance;

import ca.uhn.fhir.batch2.config.Batch2JobRegisterer;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.util.FhirTerser;
import fr.sas.fhir.config.SasProperties;
import fr.sas.fhir.validation.SasProfiles;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Installs the conformance content at start-up, before the HTTP port opens: first the sources of the IG manifest
 * (the project's {@code terminology/} and {@code profiles/}), then the operator's extra packages, whose definitions
 * replace ours with the same canonical URL. Each resource is upserted by canonical URL, so restarts create no new
 * versions; then the search parameter registry and the validation caches are refreshed, so a guide's search
 * parameter works from the first request without a reindex.
 */
@Component
public class ConformanceLoader implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ConformanceLoader.class);

	/** Terminology before the definitions that bind to it; search parameters before anything searches. */
	private static final List<String> INSTALL_ORDER =
			List.of("CodeSystem", "ValueSet", "StructureDefinition", "SearchParameter", "CapabilityStatement");

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final ISearchParamRegistry searchParamRegistry;
	private final IValidationSupport validationSupport;
	private final IgManifest manifest;
	private final SasProperties properties;
	private final ConformanceResources reader;
	private final Batch2JobRegisterer batch2JobRegisterer;
	private final SasProfiles sasProfiles;
	private volatile boolean running;
	private volatile int installedCount;

	public ConformanceLoader(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			IgManifest manifest,
			SasProperties properties,
			ResourcePatternResolver resolver,
			Batch2JobRegisterer batch2JobRegisterer,
			SasProfiles sasProfiles) {
		this.batch2JobRegisterer = batch2JobRegisterer;
		this.sasProfiles = sasProfiles;
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.searchParamRegistry = searchParamRegistry;
		this.validationSupport = validationSupport;
		this.manifest = manifest;
		this.properties = properties;
		this.reader = new ConformanceResources(fhirContext, resolver);
	}

	@Override
	public void start() {
		// Storing a SearchParameter schedules HAPI's REINDEX job; HAPI registers its jobs only once the context
		// is refreshed, after the port opens. Registering is idempotent, so we do it now.
		batch2JobRegisterer.start();
		Map<String, IBaseResource> byUrl = new LinkedHashMap<>();
		manifest.sources().forEach(source -> collect(byUrl, reader.fromLocation(source), source));
		properties.getIg().getPackages().forEach(pkg -> collect(byUrl, reader.fromPackage(pkg), pkg));

		List<IBaseResource> ordered = new ArrayList<>(byUrl.values());
		new SnapshotGenerator(fhirContext).completeSnapshots(ordered);
		ordered.sort(Comparator.comparingInt(r -> INSTALL_ORDER.indexOf(fhirContext.getResourceType(r))));
		ordered.forEach(this::upsertByUrl);
		installedCount = ordered.size();
		sasProfiles.register(ordered);

		searchParamRegistry.forceRefresh();
		validationSupport.invalidateCaches();
		LOG.info("Installed {} conformance resources of {} {}", ordered.size(), manifest.guide().packageId(),
				manifest.guide().version());
		running = true;
	}

	/** Later sources win: the operator's official package replaces the project's definition of the same URL. */
	private void collect(Map<String, IBaseResource> byUrl, List<IBaseResource> resources, String source) {
		for (IBaseResource resource : resources) {
			String url = canonicalUrl(resource);
			if (url == null) {
				throw new IllegalStateException("Conformance resource without url in " + source + ": "
						+ resource.getIdElement().getValue());
			}
			byUrl.remove(fhirContext.getResourceType(resource) + "|" + url);
			byUrl.put(fhirContext.getResourceType(resource) + "|" + url, resource);
		}
		LOG.info("Read {} conformance resources from {}", resources.size(), source);
	}

	@SuppressWarnings({"unchecked", "rawtypes"})
	private void upsertByUrl(IBaseResource resource) {
		String type = fhirContext.getResourceType(resource);
		IFhirResourceDao dao = daoRegistry.getResourceDao(type);
		SystemRequestDetails request = new SystemRequestDetails();
		SearchParameterMap byUrl = SearchParameterMap.newSynchronous("url", new UriParam(canonicalUrl(resource)));
		IBundleProvider existing = dao.search(byUrl, request);
		List<IBaseResource> matches = existing.getResources(0, 2);
		if (matches.size() > 1) {
			throw new IllegalStateException("Several " + type + " resources have the url " + canonicalUrl(resource));
		}
		String id = matches.isEmpty()
				? resource.getIdElement().getIdPart()
				: matches.get(0).getIdElement().getIdPart();
		if (id == null) {
			throw new IllegalStateException(type + " " + canonicalUrl(resource) + " has no id");
		}
		resource.setId(type + "/" + id);
		dao.update(resource, request);
	}

	private String canonicalUrl(IBaseResource resource) {
		return new FhirTerser(fhirContext).getSinglePrimitiveValueOrNull(resource, "url");
	}

	public int getInstalledCount() {
		return installedCount;
	}

	@Override
	public void stop() {
		running = false;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Before the web server (whose phase is close to Integer.MAX_VALUE) starts taking requests. */
	@Override
	public int getPhase() {
		return 0;
	}
}
