#!/bin/sh
# Trains the AOT cache of the server for a JDK 25 (JEP 483/514/515: classes loaded and linked, and method profiles):
# one start on a data directory of its own, stopped once ready; the JVM writes <app>/sas.aot as it exits.
# Every later start must use the same JDK, the same jar path and the same JVM options:
#   java <options> -XX:AOTCache=<app>/sas.aot -jar <app>/sas-fhir-server.jar
# Usage: docker/aot-train.sh <folder of the extracted jar> [JVM options...]
# (the folder: java -Djarmode=tools -jar sas-fhir-server.jar extract --destination <folder>)
set -eu
app=${1:?usage: aot-train.sh <folder of the extracted jar> [JVM options...]}
shift
port=${AOT_TRAINING_PORT:-18089}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
# Bound to the loopback address, without authentication: the local trial, whatever the image's SERVER_ADDRESS.
SERVER_ADDRESS=127.0.0.1 java "$@" -XX:AOTCacheOutput="$app/sas.aot" -jar "$app/sas-fhir-server.jar" \
    --server.port="$port" --sas.data-dir="$data" > "$data/training.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null; do
    if ! kill -0 "$pid" 2> /dev/null; then
        cat "$data/training.log" >&2
        echo "aot-train: the training start failed" >&2
        exit 1
    fi
    sleep 1
done
kill "$pid"
wait "$pid" || true
test -s "$app/sas.aot" || { tail -20 "$data/training.log" >&2; echo "aot-train: no cache written" >&2; exit 1; }
echo "aot-train: $app/sas.aot written ($(du -h "$app/sas.aot" | cut -f1))"
