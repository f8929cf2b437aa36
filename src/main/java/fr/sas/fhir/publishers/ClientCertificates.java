package fr.sas.fhir.publishers;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The TLS side of calls to publishers: the authorities trusted for their server certificates
 * ({@code sas.publishers.trust-store}, else the JVM's) and, per endpoint, the IGC-Santé client certificate it is
 * presented, by its alias in {@code sas.publishers.key-store}. One SSL context per alias.
 */
public class ClientCertificates {

	private final PublishersProperties properties;
	private final KeyStore keys;
	private final TrustManagerFactory trust;
	private final Map<String, SSLContext> contexts = new ConcurrentHashMap<>();

	public ClientCertificates(PublishersProperties properties) {
		this.properties = properties;
		try {
			this.keys = properties.getKeyStore().isBlank() ? null
					: load(properties.getKeyStore(), properties.getKeyStoreType(), properties.getKeyStorePassword());
			this.trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(properties.getTrustStore().isBlank() ? null
					: load(properties.getTrustStore(), properties.getTrustStoreType(), properties.getTrustStorePassword()));
		} catch (GeneralSecurityException | IOException e) {
			throw new IllegalStateException("sas.publishers key store or trust store unreadable: " + e.getMessage(), e);
		}
	}

	/** Whether the key store holds a private key and certificate under that alias. */
	public boolean has(String alias) {
		try {
			return keys != null && keys.isKeyEntry(alias);
		} catch (GeneralSecurityException e) {
			return false;
		}
	}

	/** The client certificate under that alias, if any (its expiry is watched). */
	public X509Certificate certificate(String alias) {
		try {
			return keys != null && keys.getCertificate(alias) instanceof X509Certificate x ? x : null;
		} catch (GeneralSecurityException e) {
			return null;
		}
	}

	/** The SSL context presenting the certificate of {@code alias} (none when null). */
	public SSLContext context(String alias) {
		return contexts.computeIfAbsent(alias == null ? "" : alias, this::build);
	}

	private SSLContext build(String alias) {
		try {
			KeyManager[] managers = null;
			if (!alias.isEmpty()) {
				if (!has(alias)) {
					throw new IllegalStateException("no client certificate '" + alias + "' in sas.publishers.key-store");
				}
				KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
				factory.init(keys, properties.getKeyStorePassword().toCharArray());
				managers = new KeyManager[] {new OneAlias((X509KeyManager) factory.getKeyManagers()[0], alias)};
			}
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(managers, trust.getTrustManagers(), null);
			return context;
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("cannot build the TLS context of client certificate '" + alias + "'", e);
		}
	}

	private static KeyStore load(String location, String type, String password) throws GeneralSecurityException, IOException {
		KeyStore store = KeyStore.getInstance(type);
		try (InputStream in = Files.newInputStream(Path.of(location.startsWith("file:") ? location.substring(5) : location))) {
			store.load(in, password.toCharArray());
		}
		return store;
	}

	/** Presents the one certificate of its alias, whatever the server asks. */
	private static final class OneAlias extends X509ExtendedKeyManager {
		private final X509KeyManager delegate;
		private final String alias;

		OneAlias(X509KeyManager delegate, String alias) {
			this.delegate = delegate;
			this.alias = alias;
		}

		@Override
		public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
			return alias;
		}

		@Override
		public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
			return alias;
		}

		@Override
		public String[] getClientAliases(String keyType, Principal[] issuers) {
			return new String[] {alias};
		}

		@Override
		public String[] getServerAliases(String keyType, Principal[] issuers) {
			return null;
		}

		@Override
		public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return null;
		}

		@Override
		public X509Certificate[] getCertificateChain(String name) {
			return delegate.getCertificateChain(name);
		}

		@Override
		public PrivateKey getPrivateKey(String name) {
			return delegate.getPrivateKey(name);
		}
	}
}
