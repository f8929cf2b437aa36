package fr.sas.fhir.analytics;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import fr.sas.fhir.common.FhirOperationProvider;
import java.io.IOException;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

/**
 * The system-level {@code $export} and its status polling, handed to HAPI's own {@link BulkDataExportProvider} (its
 * batch job does the work). Only these two are exposed: HAPI's provider also declares {@code Patient/$export} and
 * {@code Group/$export}, types this server does not serve.
 */
class SystemExportProvider implements FhirOperationProvider {

	private final BulkDataExportProvider hapi;

	SystemExportProvider(BulkDataExportProvider hapi) {
		this.hapi = hapi;
	}

	@Operation(name = "$export", manualResponse = true, idempotent = true,
			canonicalUrl = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export")
	public void export(
			@OperationParam(name = "_outputFormat", min = 0, max = 1, typeName = "string") IPrimitiveType<String> outputFormat,
			@OperationParam(name = "_type", min = 0, max = 1, typeName = "string") IPrimitiveType<String> type,
			@OperationParam(name = "_since", min = 0, max = 1, typeName = "instant") IPrimitiveType<Date> since,
			@OperationParam(name = "_until", min = 0, max = 1, typeName = "instant") IPrimitiveType<Date> until,
			@OperationParam(name = "_typeFilter", min = 0, max = OperationParam.MAX_UNLIMITED, typeName = "string")
					List<IPrimitiveType<String>> typeFilter,
			@OperationParam(name = "_typePostFetchFilterUrl", min = 0, max = OperationParam.MAX_UNLIMITED, typeName = "string")
					List<IPrimitiveType<String>> typePostFetchFilterUrl,
			@OperationParam(name = "_exportId", min = 0, max = 1, typeName = "string") IPrimitiveType<String> exportId,
			@OperationParam(name = "_includeHistory", min = 0, max = 1, typeName = "boolean") IPrimitiveType<Boolean> includeHistory,
			ServletRequestDetails request) {
		hapi.export(outputFormat, type, since, until, typeFilter, typePostFetchFilterUrl, exportId, includeHistory, request);
	}

	@Operation(name = "$export-poll-status", manualResponse = true, idempotent = true, deleteEnabled = true)
	public void exportPollStatus(
			@OperationParam(name = "_jobId", min = 0, max = 1, typeName = "string") IPrimitiveType<String> jobId,
			ServletRequestDetails request) throws IOException {
		hapi.exportPollStatus(jobId, request);
	}
}
