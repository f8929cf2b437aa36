package fr.sas.fhir.warmup;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The warm-up before readiness, on by default (tests turn it off in {@code src/test/resources/config}). */
@Configuration
@EnableConfigurationProperties(WarmupProperties.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "sas.warmup", name = "enabled", matchIfMissing = true)
public class WarmupConfig {

	@Bean
	Warmup warmup(ApplicationContext context, WarmupProperties properties, Clock clock, ObjectMapper json) {
		return new Warmup(context, properties, clock, json);
	}
}
