package fr.sas.fhir.config;

import fr.sas.fhir.common.ServedResourceTypes;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.ResourceType;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;

/**
 * HAPI declares a DAO and a resource provider for each of R4's 146 resource types, and its {@code DaoRegistry}
 * creates every DAO at start-up. This server stores a few dozen types: the bean definitions of the others are
 * removed before any bean is created, which takes seconds off every start (docs/operations.md). HAPI then sees
 * those types as unsupported ({@code DaoRegistry.isResourceTypeSupported}), and a request naming one answers 404
 * as it did (the REST server registers the served types only, {@link FhirServerConfig}).
 */
final class UnstoredResourceTypes implements BeanDefinitionRegistryPostProcessor {

	/** HAPI's DAOs (my&lt;Type&gt;DaoR4) and resource providers (my&lt;Type&gt;RpR4). */
	private static final Pattern PER_TYPE_BEAN = Pattern.compile("my([A-Z][A-Za-z]+)(?:Dao|Rp)R4");

	/**
	 * Types HAPI's own services look up by name (bulk export: Patient, Group, Binary; the batch jobs: Task;
	 * $replace-references: Provenance; terminology: ConceptMap, NamingSystem; subscriptions; the validator's
	 * Questionnaire lookups; transaction bundles), kept though nothing of the guide is stored in them.
	 */
	static final Set<String> HAPI_LOOKUPS = Set.of(
			"Patient", "Group", "Task", "Provenance", "ConceptMap", "NamingSystem", "Subscription", "Questionnaire",
			"Bundle", "ImplementationGuide", "Library", "MeasureReport");

	static final Set<String> KEPT = Stream.concat(ServedResourceTypes.ALL.stream(), HAPI_LOOKUPS.stream())
			.collect(Collectors.toUnmodifiableSet());

	@Override
	public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
		for (String name : registry.getBeanDefinitionNames()) {
			Matcher perType = PER_TYPE_BEAN.matcher(name);
			if (perType.matches() && isResourceType(perType.group(1)) && !KEPT.contains(perType.group(1))) {
				registry.removeBeanDefinition(name);
			}
		}
	}

	/** Not the system DAO (mySystemDaoR4), nor anything else named alike. */
	private static boolean isResourceType(String name) {
		return Stream.of(ResourceType.values()).anyMatch(type -> type.name().equals(name));
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}
}
