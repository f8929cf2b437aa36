package fr.sas.fhir.http;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The HTTP layer in front of FHIR: every refusal it makes is a FHIR OperationOutcome in JSON (Tomcat's own error
 * report replaced, Spring's error page replaced, the body-size limit). The characters a FHIR client leaves raw in
 * a query ({@code |}, {@code [ ] { }}, ...) are accepted by {@code server.tomcat.relaxed-query-chars} in
 * {@code application.yaml}.
 */
@Configuration
@EnableConfigurationProperties(HttpProperties.class)
public class HttpConfig {

	@Bean
	public WebServerFactoryCustomizer<TomcatServletWebServerFactory> operationOutcomeErrorReports() {
		return factory -> factory.addContextCustomizers(context -> {
			if (context.getParent() instanceof StandardHost host) {
				// Spring Boot may already have added Tomcat's valve; ours takes its place, and the host adds no other.
				for (Valve valve : host.getPipeline().getValves()) {
					if (valve instanceof ErrorReportValve) {
						host.getPipeline().removeValve(valve);
					}
				}
				host.setErrorReportValveClass(OperationOutcomeErrorValve.class.getName());
			}
		});
	}

	/**
	 * {@code Expect: 100-continue} answered when the body is first read, not on arrival: a body over the limit is
	 * refused (413) before the client sends it, instead of a connection closed under a client still writing.
	 */
	@Bean
	public WebServerFactoryCustomizer<TomcatServletWebServerFactory> continueWhenTheBodyIsRead() {
		return factory -> factory.addConnectorCustomizers(connector -> connector.setProperty("continueResponseTiming", "onRead"));
	}

	@Bean
	public FilterRegistrationBean<QueryStringCheck> queryStringCheck() {
		FilterRegistrationBean<QueryStringCheck> registration = new FilterRegistrationBean<>(new QueryStringCheck());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 11);
		registration.addUrlPatterns("/*");
		return registration;
	}

	@Bean
	public FilterRegistrationBean<RequestBodyLimit> requestBodyLimit(HttpProperties properties,
			org.springframework.context.ApplicationEventPublisher events) {
		FilterRegistrationBean<RequestBodyLimit> registration =
				new FilterRegistrationBean<>(new RequestBodyLimit(properties.getMaxBodySize().toBytes(), events::publishEvent));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		registration.addUrlPatterns("/*");
		return registration;
	}
}
