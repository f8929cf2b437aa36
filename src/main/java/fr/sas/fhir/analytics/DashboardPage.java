package fr.sas.fhir.analytics;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code /dashboard}: the referents' page (static, {@code static/dashboard/}), which reads the indicators through the
 * FHIR API with the caller's credentials and holds no data of its own; uPlot comes from its WebJar, no CDN.
 */
@Controller
public class DashboardPage {

	@GetMapping({"/dashboard", "/dashboard/"})
	public String page() {
		return "forward:/dashboard/index.html";
	}
}
