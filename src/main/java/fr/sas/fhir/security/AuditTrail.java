package fr.sas.fhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import fr.sas.fhir.common.LeavesSearchAnswersAlone;
import fr.sas.fhir.common.RequestRefused;
import jakarta.annotation.PostConstruct;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The audit trail: every request that reaches FHIR (but the CapabilityStatement) and every refusal made before
 * (401, 403, 413, 429, 400 of the firewall) is recorded ({@link AuditRecord}): who, from where, what, when, the
 * outcome. A write is recorded in its own transaction, just before it commits (a storage-wide hook, so jobs'
 * writes count too): the write and its record commit together or not at all. Anything else is recorded before
 * its answer is written ({@link AuditBatches}: together with the records of requests finishing at the same time),
 * and an answer whose record cannot be written is a 500 instead: nothing is done unrecorded. Administrators read
 * it with {@code GET [base]/$audit}. The answer itself is never looked at.
 */
@Component
@Interceptor
public class AuditTrail implements LeavesSearchAnswersAlone {

	private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
	private static final String WRITE_RECORDED = AuditTrail.class.getName() + ".write";
	private static final String ANSWER_RECORDED = AuditTrail.class.getName() + ".answer";
	private static final Object TRANSACTION_KEY = new Object();

	private final Clock clock;
	private final IInterceptorService storageInterceptors;
	private final DataSource dataSource;
	private final boolean enabled;

	@PersistenceContext
	private EntityManager entityManager;

	private AuditInserts inserts;

	/** The records of requests that write nothing, committed together when several finish at once. */
	private AuditBatches batches;

	public AuditTrail(Clock clock, IInterceptorService storageInterceptors, DataSource dataSource,
			SecurityProperties properties) {
		this.clock = clock;
		this.storageInterceptors = storageInterceptors;
		this.dataSource = dataSource;
		this.enabled = properties.isAudit();
	}

	@PostConstruct
	void listenToEveryWrite() {
		SessionFactory sessions = entityManager.getEntityManagerFactory().unwrap(SessionFactory.class);
		inserts = new AuditInserts(sessions.unwrap(SessionFactoryImplementor.class).getJdbcServices().getDialect()
				.getSequenceSupport().getSequenceNextValString("SEQ_SAS_AUDIT"));
		batches = new AuditBatches(this::insertTogether);
		if (enabled) {
			storageInterceptors.registerInterceptor(new Writes());
		}
	}

	/** Storage-wide: the writes, in their transaction (registered on the storage service only, not on the server). */
	public final class Writes {

		@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
		public void created(IBaseResource resource, RequestDetails request) {
			written("create", resource, request);
		}

		@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
		public void updated(IBaseResource oldResource, IBaseResource newResource, RequestDetails request) {
			written("update", newResource, request);
		}

		@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
		public void deleted(IBaseResource resource, RequestDetails request) {
			written("delete", resource, request);
		}
	}

	/** One record per writing transaction: its request, or the first resource a job writes in it. */
	void written(String interaction, IBaseResource resource, RequestDetails request) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()
				|| TransactionSynchronizationManager.hasResource(TRANSACTION_KEY)) {
			return;
		}
		TransactionSynchronizationManager.bindResource(TRANSACTION_KEY, Boolean.TRUE);
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCompletion(int status) {
				TransactionSynchronizationManager.unbindResourceIfPossible(TRANSACTION_KEY);
			}
		});
		String target = resource.getIdElement().toUnqualifiedVersionless().getValue();
		boolean fromRequest = request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null;
		if (fromRequest) {
			request.getUserData().put(WRITE_RECORDED, Boolean.TRUE);
			interaction = operation(request);
			target = target(request);
		}
		Caller caller = Caller.current().orElse(null);
		AuditRecord record = new AuditRecord(clock.instant(), who(caller, fromRequest), caller == null ? null : caller.role().name(),
				fromRequest ? ((ServletRequestDetails) request).getServletRequest().getRemoteAddr() : null,
				interaction, target, 200, fromRequest ? null : "written by the server itself (a job)");
		// On the write's own connection: the record commits with the write, or not at all.
		entityManager.unwrap(Session.class).doWork(connection -> inserts.insert(connection, List.of(record)));
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean answered(RequestDetails request, ResponseDetails response) {
		if (!enabled || request.getRestOperationType() == RestOperationTypeEnum.METADATA
				|| Boolean.TRUE.equals(request.getUserData().get(WRITE_RECORDED))
				// a manual response (the contextual search) calls these hooks itself, and HAPI calls them again
				|| request.getUserData().put(ANSWER_RECORDED, Boolean.TRUE) != null) {
			return true;
		}
		record(request, response.getResponseCode(), null);
		return true;
	}

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean failed(RequestDetails request, BaseServerResponseException exception) {
		if (enabled) {
			try {
				record(request, exception.getStatusCode(), exception.getMessage());
			} catch (RuntimeException e) {
				LOG.error("audit record of a failed request lost", e); // the request fails anyway
			}
		}
		return true;
	}

	@EventListener
	public void refused(RequestRefused refused) {
		if (!enabled) {
			return;
		}
		appendForCaller(refused.address(), "refused " + refused.method(), refused.uri(), refused.status(),
				refused.rule() + ": " + refused.message());
	}

	/** The record of the current caller's request, which wrote nothing: committed once this returns. */
	private void appendForCaller(String address, String interaction, String target, int status, String detail) {
		Caller caller = Caller.current().orElse(null);
		batches.append(new AuditRecord(clock.instant(), who(caller, true), caller == null ? null : caller.role().name(),
				address, interaction, target, status, detail));
	}

	/**
	 * One statement on a connection of its own, outside any transaction of the request: the records of requests
	 * that write nothing are not part of any other work. In auto-commit (the pool's default) the statement is its
	 * own transaction; otherwise it is committed here, or rolled back.
	 */
	private void insertTogether(List<AuditRecord> records) {
		try (Connection connection = dataSource.getConnection()) {
			if (connection.getAutoCommit()) {
				inserts.insert(connection, records);
				return;
			}
			try {
				inserts.insert(connection, records);
				connection.commit();
			} catch (SQLException | RuntimeException e) {
				connection.rollback();
				throw e;
			}
		} catch (SQLException e) {
			throw new IllegalStateException("audit records not written: " + e.getMessage(), e);
		}
	}

	private void record(RequestDetails request, int status, String detail) {
		String address = request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null
				? servlet.getServletRequest().getRemoteAddr() : null;
		try {
			appendForCaller(address, operation(request), target(request), status, detail);
		} catch (RuntimeException e) {
			throw new InternalErrorException("SAS-audit: the audit record of this request could not be written; nothing is"
					+ " answered unrecorded", e);
		}
	}

	private static String who(Caller caller, boolean fromRequest) {
		if (caller != null) {
			return caller.id();
		}
		return fromRequest ? "anonymous" : "system";
	}

	private static String operation(RequestDetails request) {
		RestOperationTypeEnum type = request.getRestOperationType();
		String name = type == null ? String.valueOf(request.getRequestType()) : type.getCode();
		return request.getOperation() == null ? name : name + " " + request.getOperation();
	}

	private static String target(RequestDetails request) {
		String path = request.getRequestPath() == null ? "" : request.getRequestPath();
		String query = request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null
				? servlet.getServletRequest().getQueryString() : null;
		return query == null ? path : path + "?" + query;
	}
}
