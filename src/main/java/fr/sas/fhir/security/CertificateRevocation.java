package fr.sas.fhir.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.SmartLifecycle;

/**
 * Client certificates checked against the authority's revocation list ({@code sas.security.crl-file}, the
 * IGC-Santé's CRL): Tomcat's trust manager checks it at each handshake, so a revoked certificate never gets a
 * TLS connection. The file is looked at every {@code sas.security.crl-refresh}; when it changed, the TLS
 * configuration is reloaded (new connections see the new list, open ones go on). Fail-closed: an unreadable
 * file refuses the start, and a list past its next update makes the check fail, as the JDK's PKIX does.
 */
final class CertificateRevocation implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(CertificateRevocation.class);

	private final Path file;
	private final long refreshMillis;
	private final List<Connector> connectors = new CopyOnWriteArrayList<>();
	private ScheduledExecutorService watcher;
	private volatile FileTime seen;

	CertificateRevocation(SecurityProperties properties) {
		this.file = Path.of(properties.getCrlFile()).toAbsolutePath();
		this.refreshMillis = properties.getCrlRefresh().toMillis();
		if (!Files.isReadable(file)) {
			throw new IllegalStateException("Refusing to start: sas.security.crl-file " + file + " cannot be read");
		}
		this.seen = modified();
	}

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.addConnectorCustomizers(connector -> {
			for (SSLHostConfig host : connector.findSslHostConfigs()) {
				host.setCertificateRevocationListFile(file.toString());
				host.setRevocationEnabled(true);
			}
			if (connector.findSslHostConfigs().length > 0) {
				connectors.add(connector);
			}
		});
	}

	/** A changed file: the connectors' TLS configuration reloaded with it. */
	void refresh() {
		FileTime now = modified();
		if (now.equals(seen)) {
			return;
		}
		for (Connector connector : connectors) {
			if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> protocol) {
				protocol.reloadSslHostConfigs();
			}
		}
		seen = now;
		LOG.info("certificate revocation list {} changed: TLS configuration reloaded", file);
	}

	private FileTime modified() {
		try {
			return Files.getLastModifiedTime(file);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read the revocation list " + file, e);
		}
	}

	@Override
	public void start() {
		watcher = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "crl-refresh");
			thread.setDaemon(true);
			return thread;
		});
		watcher.scheduleWithFixedDelay(() -> {
			try {
				refresh();
			} catch (RuntimeException e) {
				LOG.error("revocation list {} not reloaded; the previous one stays in force", file, e);
			}
		}, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		if (watcher != null) {
			watcher.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return watcher != null && !watcher.isShutdown();
	}
}
