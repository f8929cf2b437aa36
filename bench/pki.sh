#!/usr/bin/env bash
# A throw-away authority, a server certificate and one client certificate for the benchmarks over mutual TLS
# (never for production: the keys are written unencrypted). Usage: bench/pki.sh <dir> [client CN] [client OU]
# Writes <dir>/ca.pem, server.p12 and trust.p12 (password "bench-store"), client.pem and client.key.
set -euo pipefail
dir=${1:?usage: bench/pki.sh <dir> [CN] [OU]}; cn=${2:-lrm-bench}; ou=${3:-bench}
mkdir -p "$dir" && cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=bench authority" 2>/dev/null
sign() { # name subject
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 30 2>/dev/null
}
sign server "/CN=localhost"
sign client "/OU=$ou/CN=$cn"
openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -out server.p12 -passout pass:bench-store -name server
rm -f trust.p12
keytool -importcert -noprompt -alias bench-ca -file ca.pem -keystore trust.p12 -storetype PKCS12 -storepass bench-store >/dev/null
echo "$dir: ca.pem server.p12 trust.p12 client.pem client.key (client CN=$cn OU=$ou)"
