#!/usr/bin/env python3
"""Latency of the contextual search (Slot/$contextual-search) on data written by bench/generate.py.

Usage: python3 bench/contextual_load.py --data /tmp/sas-data [--base http://localhost:8080/fhir]
                                         [--requests 600] [--practitioners 30000]

The mix: places in 50 communes, from the largest (Paris, Lyon, Marseille arrondissements, big cities) to rural
ones (drawn by population rank from the server's reference table), each searched by INSEE code, postal code and
city, or coordinates; a third of the searches name a treating doctor (an RPPS of the data), a third carry
filters (consultation type, slot type, source), some a specialty. Every answer must be a 200 searchset Bundle;
the harness prints how many found at least one card, then p50/p95/max at concurrency 1 and 4.
"""
import argparse, json, os, random, statistics, sys, time, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor

from generate import read_communes  # the same reference table the server ships


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


def run(base, query):
    url = base + "/Slot/$contextual-search?" + urllib.parse.urlencode(query)
    t = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/fhir+json"}), timeout=120) as r:
        body = json.loads(r.read())
    elapsed = (time.perf_counter() - t) * 1000
    if body.get("resourceType") != "Bundle" or body.get("type") != "searchset":
        sys.exit(f"not a searchset for {url}")
    found = any(e.get("search", {}).get("mode") == "match" for e in body.get("entry", []))
    return elapsed, found


def measure(base, queries, concurrency):
    with ThreadPoolExecutor(concurrency) as pool:
        t = time.perf_counter()
        results = list(pool.map(lambda q: run(base, q), queries))
        wall = time.perf_counter() - t
    times = sorted(r[0] for r in results)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"concurrency {concurrency}: {len(times)} searches, {sum(1 for r in results if r[1])} with slots; "
          f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms, "
          f"{len(times) / wall:.0f} searches/s", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", help="the folder bench/generate.py wrote (for the number of practitioners)")
    p.add_argument("--base", default="http://localhost:8080/fhir")
    p.add_argument("--requests", type=int, default=600)
    p.add_argument("--practitioners", type=int, default=30000)
    p.add_argument("--seed", type=int, default=11)
    a = p.parse_args()
    rng = random.Random(a.seed)
    queries = mix(a.requests, a.practitioners, rng)
    measure(a.base, queries[: min(60, len(queries))], 1)  # warm-up, not reported separately
    for concurrency in (1, 4):
        measure(a.base, queries, concurrency)


if __name__ == "__main__":
    main()
