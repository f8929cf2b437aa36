#!/usr/bin/env bash
# The monitoring's cost, side by side: the same server started with sas.monitoring.enabled=false then true (fresh
# data directory each), each measured on the aggregator's benchmark (contextual searches pulling slots from 50
# stand-in publishers, one of them hanging) and on the guide's slot searches (stored slots).
#
#   bench/monitoring_cost.sh [data folder of bench/generate.py --practitioners 3000] [rounds] [both|searches|aggregator] [first round]
#
# Needs target/sas-fhir-server.jar and a quiet machine; prints each run's figures and leaves its logs in /tmp/moncost.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-/tmp/d3k}
ROUNDS=${2:-1}
WHAT=${3:-both}
FIRST=${4:-1}
OUT=/tmp/moncost
PORT=18613
BASE=http://127.0.0.1:$PORT/fhir
mkdir -p "$OUT"
[ -d "$DATA" ] || python3 bench/generate.py --out "$DATA" --practitioners 3000 > /dev/null
SERVER=
STANDINS=
trap 'kill $SERVER $STANDINS 2>/dev/null || true' EXIT

start() { # $1: monitoring true/false, $2: name of the run; then extra server arguments
	local dir="$OUT/data-$2"
	rm -rf "$dir"
	java -Xmx3g -jar target/sas-fhir-server.jar --server.port=$PORT --sas.data-dir="$dir" --sas.monitoring.enabled="$1" \
		"${@:3}" > "$OUT/server-$2.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 1 300); do
		curl -sf -o /dev/null "http://127.0.0.1:$PORT/actuator/health/readiness" && break
		sleep 1
	done
}

stop() {
	kill $SERVER $STANDINS 2>/dev/null || true
	wait $SERVER $STANDINS 2>/dev/null || true
	SERVER=
	STANDINS=
}

aggregator() { # $1: monitoring true/false, $2: round
	local name="aggregator-$1-$2" standins="$OUT/standins-$1-$2.log"
	start "$1" "$name" --sas.aggregator.enabled=true --sas.aggregator.sources=publishers
	{
		echo "== $name, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
		python3 bench/load.py --data "$DATA" --base "$BASE" --reference-only | tail -1
		python3 bench/publisher_standins.py --data "$DATA" --register "$BASE" > "$standins" 2>&1 &
		STANDINS=$!
		for _ in $(seq 1 300); do
			grep -q registered "$standins" && break
			sleep 1
		done
		python3 bench/aggregator_load.py --base "$BASE" --stats http://127.0.0.1:9099/stats \
			--practitioners 3000 --requests 200 --warmup 200
	} > "$OUT/$name.txt" 2>&1
	stop
	cat "$OUT/$name.txt"
}

searches() { # $1: monitoring true/false, $2: round; the guide's searches on stored slots
	local name="searches-$1-$2"
	start "$1" "$name"
	{
		echo "== $name, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
		python3 bench/load.py --data "$DATA" --base "$BASE" --slot-files 30 | tail -1
		python3 bench/search_load.py --data "$DATA" --base "$BASE" --skip-verify --skip-plain --requests 1000 --concurrency 1,4
	} > "$OUT/$name.txt" 2>&1
	stop
	cat "$OUT/$name.txt"
}

for round in $(seq "$FIRST" $((FIRST + ROUNDS - 1))); do
	if [ "$WHAT" != aggregator ]; then
		searches false "$round"
		searches true "$round"
	fi
	if [ "$WHAT" != searches ]; then
		aggregator false "$round"
		aggregator true "$round"
	fi
done
