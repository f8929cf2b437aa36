#!/usr/bin/env bash
# The cost of security on the guide's slot searches (docs/security.md). Starts the server in one configuration
# on a loaded data directory, warms it up until its CPU per request has settled (below), then times three runs of
# bench/search_load.py and prints, per run, requests/s, the practitioner searches' p50/p95/p99 and the server's CPU
# per request (and the proxy's).
#
# Usage: bench/security_cost.sh <configuration> [concurrency, 4]
#   trial-noaudit        plain HTTP, the local trial (no authentication), SAS_SECURITY_AUDIT=false
#   trial                plain HTTP, the local trial, audit on
#   tls-trial-noaudit    TLS in Tomcat (server certificate only), the local trial, audit off
#   mtls                 mutual TLS in Tomcat, the client registered as an LRM, audit on, no local trial
#   proxy-trial-noaudit  nginx terminating mutual TLS in front of plain HTTP; the local trial, audit off
#   proxy-mtls           nginx terminating mutual TLS, the verified subject passed in sas.security.client-header;
#                        the client registered as an LRM, audit on, no local trial (the README's proxy mode)
#   (the proxy configurations need nginx on the PATH: Debian's nginx-light)
# Environment: JAR (target/sas-fhir-server.jar), DATA_DIR (a sas.data-dir loaded by bench/load.py, the H2 file
# compacted), QUERIES (bench/generate.py's --out), PKI (bench/pki.sh's directory), JAVA_OPTS, WARMUP (3,600 requests
# per warm-up round), MIN_WARMUP_ROUNDS (10), MAX_WARMUP_ROUNDS (20), REQUESTS (3,600 per timed run), RUNS (3),
# SERVER_LOG (the server's output, kept when set). The server listens on 8081, the TLS endpoint (Tomcat's or
# nginx's) on 8443.
set -euo pipefail
config=${1:?usage: bench/security_cost.sh <configuration> [concurrency]}; conc=${2:-4}
here=$(cd "$(dirname "$0")" && pwd)
jar=${JAR:-$here/../target/sas-fhir-server.jar}; data=${DATA_DIR:?DATA_DIR: a loaded sas.data-dir}
queries=${QUERIES:?QUERIES: bench/generate.py output}; pki=${PKI:-/tmp/pki}
warmup=${WARMUP:-3600}; requests=${REQUESTS:-3600}; runs=${RUNS:-3}
work=$(mktemp -d)
stop() {  # the server and the proxy, waited for: the next configuration starts on the same ports
  for f in "$work"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  [ -f "$work/server.pid" ] && while kill -0 "$(cat "$work/server.pid")" 2>/dev/null; do sleep 1; done
  rm -rf "$work"
}
trap stop EXIT

server_env=(SERVER_PORT=8081 SAS_DATA_DIR="$data")
tls=(SERVER_PORT=8443 SERVER_SSL_ENABLED=true SERVER_SSL_KEY_STORE="$pki/server.p12" SERVER_SSL_KEY_STORE_PASSWORD=bench-store
  SERVER_SSL_KEY_STORE_TYPE=PKCS12 SERVER_SSL_ENABLED_PROTOCOLS=TLSv1.2,TLSv1.3)
lrm=(SAS_SECURITY_CLIENTS_0_ID=lrm-bench SAS_SECURITY_CLIENTS_0_ROLE=LRM SAS_SECURITY_CLIENTS_0_COMMONNAME=lrm-bench
  SAS_SECURITY_CLIENTS_0_ORGANIZATIONALUNIT=bench SAS_SECURITY_LOCALTRIAL=false SAS_SECURITY_RATELIMITS_LRM_PERSECOND=0)
client=(--base https://localhost:8443/fhir --cert "$pki/client.pem" --key "$pki/client.key" --cacert "$pki/ca.pem")
proxy=false
case $config in
  trial-noaudit) server_env+=(SAS_SECURITY_AUDIT=false); client=(--base http://localhost:8081/fhir) ;;
  trial) client=(--base http://localhost:8081/fhir) ;;
  tls-trial-noaudit) server_env+=("${tls[@]}" SAS_SECURITY_AUDIT=false); client=(--base https://localhost:8443/fhir --cacert "$pki/ca.pem") ;;
  mtls) server_env+=("${tls[@]}" SERVER_SSL_TRUST_STORE="$pki/trust.p12" SERVER_SSL_TRUST_STORE_PASSWORD=bench-store
    SERVER_SSL_TRUST_STORE_TYPE=PKCS12 SERVER_SSL_CLIENT_AUTH=want "${lrm[@]}") ;;
  proxy-trial-noaudit) server_env+=(SAS_SECURITY_AUDIT=false); proxy=true ;;
  proxy-mtls) server_env+=("${lrm[@]}" SAS_SECURITY_CLIENTHEADER=X-Sas-Client-Subject); proxy=true ;;
  *) echo "unknown configuration $config" >&2; exit 2 ;;
esac

if $proxy; then
  # the same proxy as docker/nginx.conf, one upstream, its two workers sharing the machine with the server
  mkdir -p "$work/nginx/logs"
  cat > "$work/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events {}
http {
  access_log off;
  upstream sas { server 127.0.0.1:8081; keepalive 32; }
  server {
    listen 127.0.0.1:8443 ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $pki/server.pem;
    ssl_certificate_key $pki/server.key;
    ssl_client_certificate $pki/ca.pem;
    ssl_verify_client optional;
    location / {
      set \$client_subject "";
      if (\$ssl_client_verify = SUCCESS) { set \$client_subject \$ssl_client_s_dn; }
      proxy_set_header X-Sas-Client-Subject \$client_subject;
      proxy_set_header Host \$host;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://sas;
    }
  }
}
EOF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
fi

# shellcheck disable=SC2086
env "${server_env[@]}" java ${JAVA_OPTS:-} -jar "$jar" > "${SERVER_LOG:=$work/server.log}" 2>&1 &
echo $! > "$work/server.pid"; pid=$(cat "$work/server.pid")
ready=${client[1]}/metadata
for attempt in $(seq 301); do
  curl -fks -o /dev/null --cert "$pki/client.pem" --key "$pki/client.key" "$ready" && break
  if ! kill -0 "$pid" 2>/dev/null || [ "$attempt" -eq 301 ]; then echo "no answer from $ready" >&2; tail -20 "$SERVER_LOG"; exit 1; fi
  sleep 1
done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system clock ticks
proxy_cpu() {  # this run's nginx workers: the children of its master
  local t=0; $proxy || { echo 0; return; }
  for p in $(pgrep -P "$(cat "$work/nginx.pid")" || true); do t=$((t + $(cpu "$p"))); done; echo $t
}
tick=$(getconf CLK_TCK)
load() { python3 "$here/search_load.py" --data "$queries" "${client[@]}" --skip-verify --skip-plain --concurrency "$conc" --requests "$1"; }

per_request() { awk -v a="$1" -v b="$2" -v t="$tick" -v n="$3" 'BEGIN{printf "%.2f", (b-a)*1000/t/n}'; }
# Warm up until the JIT has settled: for minutes after a start the server's CPU per request keeps falling, by
# half or more (the C2 compiler, one thread on two cores, works through HAPI's code, and the TLS code's under TLS),
# and not steadily. At least MIN_WARMUP_ROUNDS rounds of $warmup requests, then until two rounds in a row cost
# within 5 % of the cheapest round so far.
best=0; rounds=0; flat=0; costs=""
while { [ "$rounds" -lt "${MIN_WARMUP_ROUNDS:-10}" ] || [ "$flat" -lt 2 ]; } && [ "$rounds" -lt "${MAX_WARMUP_ROUNDS:-20}" ]; do
  s0=$(cpu "$pid"); load "$warmup" > /dev/null; s1=$(cpu "$pid"); rounds=$((rounds + 1))
  now=$(per_request "$s0" "$s1" "$warmup"); costs+=" $now"
  best=$(awk -v b="$best" -v n="$now" 'BEGIN{print (b == 0 || n < b) ? n : b}')
  if awk -v b="$best" -v n="$now" 'BEGIN{exit !(n <= b * 1.05)}'; then flat=$((flat + 1)); else flat=0; fi
done
echo "$config, concurrency $conc, $requests requests per run (${JAVA_OPTS:-no JVM options}); $rounds warm-up rounds of $warmup, server CPU per request (ms):$costs"
for run in $(seq "$runs"); do
  s0=$(cpu "$pid"); p0=$(proxy_cpu)
  out=$(load "$requests")
  s1=$(cpu "$pid"); p1=$(proxy_cpu)
  rate=$(sed -n 's/.*= \([0-9.]*\) req\/s.*/\1/p' <<< "$out")
  pract=$(grep practitioner <<< "$out" | sed 's/ *practitioner *n= *[0-9]* *//')
  line="run $run: $rate req/s, practitioner $pract, server CPU $(per_request "$s0" "$s1" "$requests") ms/request"
  $proxy && line+=", proxy CPU $(per_request "$p0" "$p1" "$requests") ms/request"
  echo "$line"
done
