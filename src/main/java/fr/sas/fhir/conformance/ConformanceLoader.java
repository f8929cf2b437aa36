package fr.sas.fhir.conformance;

import ca.uhn.fhir.jpa.term.api.ITermDeferredStorageSvc;
import ca.uhn.fhir.jpa.term.api.ITermReadSvc;
import ca.uhn.fhir.batch2.config.Batch2JobRegisterer;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.util.FhirTerser;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.SasProfiles;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;
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

	/**
	 * meta.source of installed conformance resources: the SHA-256 of the resource as its source gives it, so a
	 * restart skips unchanged content (meta.source is per version, unlike tags, which HAPI accumulates).
	 */
	static final String SOURCE_PREFIX = "urn:sas-fhir-server:conformance:";

	/** Terminology before the definitions that bind to it; search parameters before anything searches. */
	private static final List<String> INSTALL_ORDER =
			List.of("CodeSystem", "ValueSet", "StructureDefinition", "SearchParameter", "CapabilityStatement", "OperationDefinition", "Measure");

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final ISearchParamRegistry searchParamRegistry;
	private final IValidationSupport validationSupport;
	private final IgManifest manifest;
	private final SasProperties properties;
	private final ConformanceResources reader;
	private final Batch2JobRegisterer batch2JobRegisterer;
	private final SasProfiles sasProfiles;
	private final CapabilityStatementCustomizer capabilityStatement;
	private final ITermReadSvc terminology;
	private final ITermDeferredStorageSvc deferredTerminology;
	private volatile boolean running;

	public ConformanceLoader(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			IgManifest manifest,
			SasProperties properties,
			ResourcePatternResolver resolver,
			Batch2JobRegisterer batch2JobRegisterer,
			SasProfiles sasProfiles,
			CapabilityStatementCustomizer capabilityStatement,
			ITermReadSvc terminology,
			ITermDeferredStorageSvc deferredTerminology) {
		this.terminology = terminology;
		this.deferredTerminology = deferredTerminology;
		this.batch2JobRegisterer = batch2JobRegisterer;
		this.sasProfiles = sasProfiles;
		this.capabilityStatement = capabilityStatement;
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
		List<IBaseResource> all = new ArrayList<>(byUrl.values());
		all.addAll(FrCoreStandIns.missingFrom(fhirContext, all));

		// A restart with unchanged sources costs one lookup per resource: no snapshot, no write.
		List<IBaseResource> changed = new ArrayList<>();
		for (IBaseResource resource : all) {
			String fingerprint = fingerprint(resource);
			Stored stored = findByUrl(resource);
			if (stored == null || !fingerprint.equals(stored.fingerprint())) {
				resource.setId(fhirContext.getResourceType(resource) + "/"
						+ (stored == null ? resource.getIdElement().getIdPart() : stored.id()));
				((Resource) resource).getMeta().setSource(SOURCE_PREFIX + fingerprint);
				changed.add(resource);
			}
		}
		new SnapshotGenerator(fhirContext).completeSnapshots(all, changed);
		changed.sort(Comparator.comparingInt(r -> INSTALL_ORDER.indexOf(fhirContext.getResourceType(r))));
		changed.forEach(this::store);
		sasProfiles.register(all);
		capabilityStatement.register(all);

		searchParamRegistry.forceRefresh();
		// HAPI pre-expands stored ValueSets in a background job that clears every validation cache after each one;
		// a validation running meanwhile saw a half-built context ("unknown resource name 'Practitioner'"). The
		// deferred concepts are stored and the expansions made here, before the port opens, so that job finds
		// nothing left to do.
		deferredTerminology.saveAllDeferred();
		terminology.preExpandDeferredValueSetsToTerminologyTables();
		validationSupport.invalidateCaches();
		LOG.info("{} conformance resources of {} {}: {} installed or updated, {} unchanged", all.size(),
				manifest.guide().packageId(), manifest.guide().version(), changed.size(), all.size() - changed.size());
		running = true;
	}

	/** Hash of the resource as its source gives it (before its snapshot is generated). */
	private String fingerprint(IBaseResource resource) {
		try {
			String json = fhirContext.newJsonParser().setOmitResourceId(true).encodeResourceToString(resource);
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private record Stored(String id, String fingerprint) {}

	@SuppressWarnings("unchecked")
	private Stored findByUrl(IBaseResource resource) {
		String type = fhirContext.getResourceType(resource);
		SearchParameterMap byUrl = SearchParameterMap.newSynchronous("url", new UriParam(canonicalUrl(resource)));
		List<IBaseResource> matches =
				daoRegistry.getResourceDao(type).search(byUrl, new SystemRequestDetails()).getResources(0, 2);
		if (matches.size() > 1) {
			throw new IllegalStateException("Several " + type + " resources have the url " + canonicalUrl(resource));
		}
		if (matches.isEmpty()) {
			return null;
		}
		Resource match = (Resource) matches.get(0);
		String source = match.getMeta().getSource();
		String fingerprint = source != null && source.startsWith(SOURCE_PREFIX) ? source.substring(SOURCE_PREFIX.length()) : "";
		return new Stored(match.getIdElement().getIdPart(), fingerprint);
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
	private void store(IBaseResource resource) {
		if (!resource.getIdElement().hasIdPart()) {
			throw new IllegalStateException(fhirContext.getResourceType(resource) + " " + canonicalUrl(resource)
					+ " has no id");
		}
		IFhirResourceDao dao = daoRegistry.getResourceDao(fhirContext.getResourceType(resource));
		dao.update(resource, new SystemRequestDetails());
	}

	private String canonicalUrl(IBaseResource resource) {
		return new FhirTerser(fhirContext).getSinglePrimitiveValueOrNull(resource, "url");
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
