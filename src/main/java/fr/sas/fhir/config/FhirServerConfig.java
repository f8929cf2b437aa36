package fr.sas.fhir.config;

import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.ServedResourceTypes;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.provider.ValueSetOperationProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.ResponseHighlighterInterceptor;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import fr.sas.fhir.common.FhirOperationProvider;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The FHIR R4 REST endpoint at {@code /fhir}: HAPI's JPA server restricted to the resource types of the SAS guide.
 * Every Spring bean of ours annotated {@link Interceptor} (the feature packages' rules) is registered on the REST
 * server; HAPI calls their storage hooks for every write and search that comes through REST, transactions
 * included. The server's own internal writes (conformance loading, a slot booked by an appointment) do not go
 * through them.
 */
@Configuration
@Import({
	JpaR4Config.class,
	HapiJpaConfig.class,
	ThreadPoolFactoryConfig.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	SubscriptionChannelConfig.class
})
public class FhirServerConfig {

	private static final String OWN_PACKAGE = "fr.sas.fhir.";

	/** Static: it runs on bean definitions, before this configuration class is instantiated. */
	@Bean
	static UnstoredResourceTypes unstoredResourceTypes() {
		return new UnstoredResourceTypes();
	}

	/** Takes the place of HAPI's R4 adapter (JpaR4Config's), for every transaction processor. */
	@Bean
	@Primary
	public BatchEntryOutcomes batchEntryOutcomes() {
		return new BatchEntryOutcomes();
	}

	@Bean
	public RestfulServer restfulServer(
			IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviderFactory,
			JpaSystemProvider<?, ?> systemProvider,
			ValueSetOperationProvider valueSetOperationProvider,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			DatabaseBackedPagingProvider pagingProvider,
			ApplicationContext applicationContext,
			SasProperties properties,
			java.util.List<FhirOperationProvider> featureProviders) {
		// The REST server keeps its own interceptor service: HAPI's storage layer calls the hooks of the JPA
		// service and of the request's server together, so sharing one service would run every hook twice.
		RestfulServer server = new RestfulServer(systemDao.getContext());
		// HAPI's internals keep the DAOs they look up (UnstoredResourceTypes); the REST surface exposes only the
		// served types (others answer 404).
		server.registerProviders(resourceProviderFactory.createProviders().stream()
				.filter(provider -> provider instanceof IResourceProvider resourceProvider
						&& ServedResourceTypes.ALL.contains(resourceProvider.getResourceType().getSimpleName()))
				.toList());
		server.registerProvider(systemProvider);
		server.registerProvider(valueSetOperationProvider);
		// The feature packages' providers (Bundle/$validate, operations), registered without importing them.
		featureProviders.forEach(server::registerProvider);

		JpaCapabilityStatementProvider capabilityStatementProvider = new JpaCapabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport);
		capabilityStatementProvider.setImplementationDescription("SAS FHIR server");
		server.setServerConformanceProvider(capabilityStatementProvider);

		pagingProvider.setDefaultPageSize(properties.getFhir().getDefaultPageSize());
		pagingProvider.setMaximumPageSize(properties.getFhir().getMaxPageSize());
		server.setPagingProvider(pagingProvider);
		server.setDefaultResponseEncoding(EncodingEnum.JSON);
		server.setDefaultPrettyPrint(properties.getFhir().isPrettyPrint());
		String address = properties.getFhir().getServerAddress();
		server.setServerAddressStrategy(address.isBlank()
				? new IncomingRequestAddressStrategy()
				: new HardcodedServerAddressStrategy(address));

		server.registerInterceptor(new ResponseHighlighterInterceptor());
		// Only our own interceptors: HAPI declares some @Interceptor beans it registers itself, or not at all.
		for (String name : applicationContext.getBeanNamesForAnnotation(Interceptor.class)) {
			Class<?> type = applicationContext.getType(name);
			if (type != null && type.getName().startsWith(OWN_PACKAGE)) {
				server.registerInterceptor(applicationContext.getBean(name));
			}
		}
		return server;
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServletRegistration(
			RestfulServer restfulServer, AutowireCapableBeanFactory beanFactory) {
		beanFactory.autowireBean(restfulServer);
		ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(restfulServer, "/fhir/*");
		registration.setName("fhir");
		registration.setLoadOnStartup(1);
		return registration;
	}
}
