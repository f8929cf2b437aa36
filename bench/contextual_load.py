#!/usr/bin/env python3
"""Latency of the contextual search (Slot/$contextual-search) on data written by bench/generate.py.

Usage: python3 bench/contextual_load.py --data /tmp/sas-data [--base http://localhost:8080/fhir]
                                         [--requests 600] [--practitioners 30000] [--warmup 60]

The mix: places in 50 communes, from the largest (Paris, Lyon, Marseille arrondissements, big cities) to rural
ones (drawn by population rank from the server's reference table), each searched by INSEE code, postal code and
city, or coordinates; a third of the searches name a treating doctor (an RPPS of the data), a third carry
filters (consultation type, slot type, source), some a specialty. Every answer must be a 200 searchset Bundle;
the harness prints how many found at least one card, then p50/p95/max at concurrency 1 and 4.
"""
import argparse, json, os, random, statistics, sys, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor

from generate import read_communes  # the same reference table the server ships
from keepalive import Client


def communes(count, rng):
    rows, _ = read_communes()
    rows.sort(key=lambda r: r["population"], reverse=True)
    # 50 communes spread over the population ranks: the first are cities, the last villages.
    return [rows[int((i / (count - 1)) ** 3 * (len(rows) - 1))] for i in range(count)]


def mix(n, practitioners, rng):
    places = communes(50, rng)
    queries = []
    for i in range(n):
        c = places[i % len(places)]
        insee, name, postal, lat, lon = c["insee"], c["name"], c["postal"], c["lat"], c["lon"]
        form = i % 3
        if form == 0:
            q = {"inseecode": insee}
        elif form == 1:
            q = {"postalcode": postal, "city": name}
        else:
            q = {"latitude": f"{lat + rng.uniform(-0.01, 0.01):.5f}", "longitude": f"{lon + rng.uniform(-0.01, 0.01):.5f}"}
        if i % 3 == 0:
            q["practitioner"] = "urn:oid:1.2.250.1.71.4.2.1|8" + str(10_000_000_000 + rng.randrange(practitioners))
        elif i % 3 == 1:
            name_, values = rng.choice([("consultation-type", ["AMB", "AMB,VR"]), ("slot-type", ["PUBLIC", "CPTS"]),
                                        ("source", ["individual", "sos", "cpts"])])
            q[name_] = rng.choice(values)
        if i % 4 == 0:
            q["specialty"] = "SM54"
        queries.append(q)
    return queries


def run(client, query, check):
    path = "Slot/$contextual-search?" + urllib.parse.urlencode(query)
    t = time.perf_counter()
    status, raw = client.get(path, {"Accept": "application/fhir+json"})
    elapsed = (time.perf_counter() - t) * 1000
    # The harness shares the server's two cores: it reads the answer's head and looks for a match entry rather
    # than parsing every answer (one in `check` is parsed in full, outside the timed part).
    if status != 200 or not raw.startswith(b'{"resourceType":"Bundle"') or b'"type":"searchset"' not in raw[:2000]:
        sys.exit(f"not a 200 searchset for {path}: {status} {raw[:300]!r}")
    found = b'"mode":"match"' in raw
    if check:
        body = json.loads(raw)
        if body.get("type") != "searchset" or found != any(
                e.get("search", {}).get("mode") == "match" for e in body.get("entry", [])):
            sys.exit(f"the answer's head and body disagree for {path}")
    return elapsed, found


def measure(client, queries, concurrency, label=""):
    with ThreadPoolExecutor(concurrency) as pool:
        t = time.perf_counter()
        results = list(pool.map(lambda iq: run(client, iq[1], iq[0] % 50 == 0), enumerate(queries)))
        wall = time.perf_counter() - t
    times = sorted(r[0] for r in results)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{label}concurrency {concurrency}: {len(times)} searches, {sum(1 for r in results if r[1])} with slots; "
          f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms, "
          f"{len(times) / wall:.0f} searches/s", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", help="the folder bench/generate.py wrote (for the number of practitioners)")
    p.add_argument("--base", default="http://localhost:8080/fhir")
    p.add_argument("--requests", type=int, default=600)
    p.add_argument("--practitioners", type=int, default=30000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--cert", help="client certificate (PEM), for an https base")
    p.add_argument("--key", help="its private key (PEM)")
    p.add_argument("--cacert", help="the authority of the server's certificate (PEM)")
    p.add_argument("--warmup", type=int, default=60,
                   help="searches sent first and not reported (at concurrency 4 when over 60): the JIT compiles the"
                        " server's hot paths over the first few thousand searches")
    a = p.parse_args()
    rng = random.Random(a.seed)
    queries = mix(a.requests, a.practitioners, rng)
    client = Client(a.base, a.cert, a.key, a.cacert, timeout=120)
    if a.warmup > 0:  # not reported separately
        warm = [queries[i % len(queries)] for i in range(a.warmup)]
        measure(client, warm, 1 if a.warmup <= 60 else 4, label="warm-up, ")
    for concurrency in (1, 4):
        measure(client, queries, concurrency)


if __name__ == "__main__":
    main()
