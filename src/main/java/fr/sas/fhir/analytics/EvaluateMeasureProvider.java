package fr.sas.fhir.analytics;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import fr.sas.fhir.common.FhirOperationProvider;
import fr.sas.fhir.common.RuleViolations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Measure;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code GET [base]/Measure/<id>/$evaluate-measure?periodStart=&periodEnd=}: FHIR's operation, answered from the
 * database by {@link MeasureQueries} (a summary MeasureReport: each group's population count, or its score for
 * hours, overall and by each stratifier of the Measure, or those named by {@code stratifier}).
 */
class EvaluateMeasureProvider implements FhirOperationProvider {

	static final String RULE = "SAS-analytics";
	static final String HOURS_EXTENSION = "https://sas-fhir-server.example/fhir/StructureDefinition/sas-analytics-score-unit";

	private final DaoRegistry daos;
	private final MeasureQueries queries;
	private final Clock clock;
	private final ZoneId zone;
	private final Duration maxPeriod;

	EvaluateMeasureProvider(DaoRegistry daos, MeasureQueries queries, Clock clock, AnalyticsProperties properties) {
		this.daos = daos;
		this.queries = queries;
		this.clock = clock;
		this.zone = ZoneId.of(properties.getZone());
		this.maxPeriod = properties.getMaxPeriod();
	}

	@Operation(name = "$evaluate-measure", type = Measure.class, idempotent = true)
	public MeasureReport evaluate(
			@IdParam IdType id,
			@OperationParam(name = "periodStart", min = 0) StringType periodStart,
			@OperationParam(name = "periodEnd", min = 0) StringType periodEnd,
			@OperationParam(name = "reportType", min = 0) StringType reportType,
			@OperationParam(name = "stratifier", min = 0, max = OperationParam.MAX_UNLIMITED) List<StringType> stratifier,
			RequestDetails request) {
		Measure measure = read(id);
		MeasureQueries.Indicator indicator = queries.indicator(measure.getIdElement().getIdPart())
				.or(() -> queries.indicator(lastSegment(measure.getUrl())))
				.orElseThrow(() -> refused(null, "Measure/" + id.getIdPart() + " has no evaluation on this server"));
		if (reportType != null && reportType.hasValue() && !"summary".equals(reportType.getValue())) {
			throw refused("reportType", "reportType '" + reportType.getValue() + "': only summary is offered");
		}
		LocalDate start = date("periodStart", periodStart);
		LocalDate end = date("periodEnd", periodEnd);
		if (end.isBefore(start)) {
			throw refused("periodEnd", "periodEnd " + end + " is before periodStart " + start);
		}
		if (Duration.between(start.atStartOfDay(), end.plusDays(1).atStartOfDay()).compareTo(maxPeriod) > 0) {
			throw refused("periodEnd", "the period from " + start + " to " + end + " is longer than sas.analytics.max-period ("
					+ maxPeriod.toDays() + " days)");
		}
		List<String> declared = new ArrayList<>();
		List<String> groups = new ArrayList<>();
		for (Measure.MeasureGroupComponent group : measure.getGroup()) {
			groups.add(code(group.getCode()));
			group.getStratifier().forEach(s -> {
				if (!declared.contains(code(s.getCode()))) {
					declared.add(code(s.getCode()));
				}
			});
		}
		List<String> asked = stratifiers(stratifier, declared, indicator);
		MeasureQueries.Period period = new MeasureQueries.Period(start, end, start.atStartOfDay(zone).toInstant(),
				end.plusDays(1).atStartOfDay(zone).toInstant());
		Map<String, Map<String, long[]>> figures = queries.evaluate(indicator, groups, asked, period);
		return report(measure, groups, asked, period, figures);
	}

	private Measure read(IdType id) {
		try {
			return daos.getResourceDao(Measure.class).read(id.toUnqualifiedVersionless(), new ca.uhn.fhir.rest.api.server.SystemRequestDetails());
		} catch (ResourceNotFoundException | ca.uhn.fhir.rest.server.exceptions.ResourceGoneException e) {
			OperationOutcome outcome = RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
					OperationOutcome.IssueType.NOTFOUND, "Measure", RULE, "Measure/" + id.getIdPart() + " is not known"));
			throw new ResourceNotFoundException("Measure/" + id.getIdPart() + " is not known", outcome);
		}
	}

	private static List<String> stratifiers(List<StringType> asked, List<String> declared, MeasureQueries.Indicator indicator) {
		if (asked == null || asked.isEmpty()) {
			return declared.stream().filter(indicator.dimensions()::containsKey).toList();
		}
		Set<String> out = new LinkedHashSet<>();
		for (StringType value : asked) {
			for (String code : String.valueOf(value.getValue()).split(",")) {
				String name = code.strip();
				if (name.isEmpty()) {
					continue;
				}
				if (!declared.contains(name) || !indicator.dimensions().containsKey(name)) {
					throw refused("stratifier", "stratifier '" + name + "' is not one of this measure's: " + String.join(", ", declared));
				}
				out.add(name);
			}
		}
		return List.copyOf(out);
	}

	private MeasureReport report(Measure measure, List<String> groups, List<String> stratifiers, MeasureQueries.Period period,
			Map<String, Map<String, long[]>> figures) {
		MeasureReport report = new MeasureReport();
		report.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
		report.setType(MeasureReport.MeasureReportType.SUMMARY);
		report.setMeasure(measure.getUrl() + (measure.hasVersion() ? "|" + measure.getVersion() : ""));
		report.setDate(Date.from(clock.instant()));
		report.setPeriod(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType(period.start().toString()))
				.setEndElement(new org.hl7.fhir.r4.model.DateTimeType(period.end().toString())));
		long[] total = figures.get("").get("");
		for (int g = 0; g < groups.size(); g++) {
			Measure.MeasureGroupComponent definition = measure.getGroup().get(g);
			boolean hours = definition.hasExtension(HOURS_EXTENSION);
			MeasureReport.MeasureReportGroupComponent group = report.addGroup().setCode(definition.getCode().copy());
			if (hours) {
				group.setMeasureScore(hours(total[g]));
			} else {
				group.addPopulation().setCode(population()).setCount((int) total[g]);
			}
			for (Measure.MeasureGroupStratifierComponent declared : definition.getStratifier()) {
				String code = code(declared.getCode());
				if (!stratifiers.contains(code)) {
					continue;
				}
				MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
				stratifier.addCode(declared.getCode().copy());
				for (Map.Entry<String, long[]> stratum : new java.util.TreeMap<>(figures.get(code)).entrySet()) {
					MeasureReport.StratifierGroupComponent s = stratifier.addStratum().setValue(new CodeableConcept().setText(stratum.getKey()));
					if (hours) {
						s.setMeasureScore(hours(stratum.getValue()[g]));
					} else {
						s.addPopulation().setCode(population()).setCount((int) stratum.getValue()[g]);
					}
				}
			}
		}
		return report;
	}

	private static Quantity hours(long minutes) {
		return new Quantity().setValue(BigDecimal.valueOf(minutes).divide(BigDecimal.valueOf(60), 2, RoundingMode.HALF_UP))
				.setUnit("h").setSystem("http://unitsofmeasure.org").setCode("h");
	}

	private static CodeableConcept population() {
		return new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/measure-population", "initial-population", null));
	}

	private static String code(CodeableConcept concept) {
		return concept == null || concept.getCoding().isEmpty() ? "" : concept.getCodingFirstRep().getCode();
	}

	private static String lastSegment(String url) {
		return url == null ? "" : url.substring(url.lastIndexOf('/') + 1);
	}

	private static LocalDate date(String name, StringType value) {
		if (value == null || !value.hasValue() || value.getValue().isBlank()) {
			throw refused(name, name + " is required (a date, YYYY-MM-DD)");
		}
		String text = value.getValue().strip();
		try {
			return LocalDate.parse(text.length() > 10 ? text.substring(0, 10) : text);
		} catch (DateTimeParseException e) {
			throw refused(name, name + " '" + text + "' is not a date (YYYY-MM-DD)");
		}
	}

	static InvalidRequestException refused(String parameter, String message) {
		return new InvalidRequestException(message, RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
				OperationOutcome.IssueType.INVALID, parameter, RULE, message)));
	}
}
