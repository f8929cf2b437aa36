"""A kept-alive HTTP(S) connection per client thread, as an LRM's or the platform's HTTP client keeps one: the
benchmarks time the server's answers, not a TCP (or TLS) handshake per request. With a client certificate
(--cert/--key) and the authority (--cacert), the server is reached as a registered client over mutual TLS."""
import http.client, ssl, threading, urllib.parse


class Client:
    def __init__(self, base, cert=None, key=None, cacert=None, timeout=600):
        u = urllib.parse.urlsplit(base)
        self.https = u.scheme == "https"
        self.host, self.port, self.path = u.hostname, u.port or (443 if self.https else 80), u.path.rstrip("/")
        self.timeout = timeout
        self.context = None
        if self.https:
            self.context = ssl.create_default_context(cafile=cacert)
            self.context.check_hostname = False  # test certificates name no host
            if cert:
                self.context.load_cert_chain(cert, key)
        self.local = threading.local()

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = (http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
                    if self.https else http.client.HTTPConnection(self.host, self.port, timeout=self.timeout))
            self.local.conn = conn
        return conn

    def get(self, relative, headers=None):
        """GET base/relative (already escaped): (status, body). A connection the server closed is opened again once."""
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request("GET", self.path + "/" + relative, headers=headers or {})
                r = conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.local.conn = None
                if attempt == 2:
                    raise
