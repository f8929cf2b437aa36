#!/usr/bin/env python3
"""Load harness for the guide's three slot searches: the dedicated path against HAPI's generic search.

Usage: generate and load the data (bench/generate.py, bench/load.py), start the server with
--sas.search.plain-path-header=true, then
    python3 bench/search_load.py --data /tmp/sas-data [--base http://localhost:8080/fhir]
        [--concurrency 1,4] [--requests 300] [--plain-requests 60] [--plain-sos 4]

1. Verification (not timed): every query of queries.json is sent to the dedicated path and its answer compared
   with the generator's expectation (total, match entries, include entries); the individual and CPTS queries
   among the first --verify-plain (40) are also sent to HAPI's generic search (header X-Sas-Search-Path: hapi) and both answers compared entry by
   entry, resource bytes included. Any difference is printed and makes the exit status 1.
2. Timing: for each path and concurrency, the query mix is replayed (--requests per run for the dedicated path,
   --plain-requests for the generic one, of which at most --plain-sos SOS queries: HAPI takes seconds to
   minutes on them); latency is measured from sending the request to the last byte of the answer.
Prints p50/p95/p99 and requests/s per shape, and the throughput ratio of the two paths.
"""
import argparse, json, sys, time

from keepalive import Client
from concurrent.futures import ThreadPoolExecutor

HEADER = "X-Sas-Search-Path"


CLIENT = None  # keepalive.Client, set by main


def fetch(base, url, plain=False):
    """(seconds, body) of a 200 answer; anything else raises."""
    t0 = time.perf_counter()
    status, body = CLIENT.get(url.replace("|", "%7C").replace(" ", "%20"),
                              {"Accept": "application/fhir+json", **({HEADER: "hapi"} if plain else {})})
    seconds = time.perf_counter() - t0
    if status != 200:
        raise RuntimeError(f"{status} for {url}: {body[:200]!r}")
    return seconds, body


def entries(bundle):
    out = {"match": set(), "include": set()}
    for e in bundle.get("entry", []):
        r = e["resource"]
        out[e["search"]["mode"]].add(f"{r['resourceType']}/{r['id']}")
    return out


def resources(bundle):
    return {f"{e['resource']['resourceType']}/{e['resource']['id']}": json.dumps(e["resource"], sort_keys=True)
            for e in bundle.get("entry", [])}


def verify(base, queries, plain_sample):
    problems = 0
    for i, q in enumerate(queries):
        _, body = fetch(base, q["url"])
        b = json.loads(body)
        got = entries(b)
        expected = {"match": set(q["match"]), "include": set(q["include"])}
        if b.get("total") != q["total"] or got != expected:
            problems += 1
            print(f"  query {i} ({q['shape']}): total {b.get('total')} (expected {q['total']}), "
                  f"{len(got['match'] ^ expected['match'])} match and {len(got['include'] ^ expected['include'])} "
                  f"include entries differ: {q['url'][:160]}")
        if q["shape"] != "sos" and i < plain_sample:
            _, plain_body = fetch(base, q["url"], plain=True)
            p = json.loads(plain_body)
            if p.get("total") != b.get("total") or entries(p) != got or resources(p) != resources(b):
                problems += 1
                print(f"  query {i} ({q['shape']}): HAPI's generic search answers differently "
                      f"(total {p.get('total')} vs {b.get('total')})")
    return problems


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def run(base, mix, concurrency, plain):
    latencies = {}
    errors = 0

    def one(q):
        try:
            seconds, _ = fetch(base, q["url"], plain)
            return q["shape"], seconds
        except (RuntimeError, OSError) as e:
            return q["shape"], None

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for shape, seconds in pool.map(one, mix):
            if seconds is None:
                errors += 1
            else:
                latencies.setdefault(shape, []).append(seconds)
    wall = time.perf_counter() - t0
    return latencies, wall, errors


def report(name, latencies, wall, errors):
    total = sum(len(v) for v in latencies.values())
    print(f"{name}: {total} requests in {wall:.1f} s = {total / wall:.1f} req/s" + (f", {errors} errors" if errors else ""),
          flush=True)
    for shape in ("practitioner", "cpts", "sos"):
        v = latencies.get(shape, [])
        if v:
            print(f"  {shape:12s} n={len(v):4d}  p50 {1000 * percentile(v, 50):8.1f} ms  p95 {1000 * percentile(v, 95):8.1f} ms"
                  f"  p99 {1000 * percentile(v, 99):8.1f} ms", flush=True)
    return total / wall


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--data", required=True)
    a.add_argument("--base", default="http://localhost:8080/fhir")
    a.add_argument("--concurrency", default="1,4")
    a.add_argument("--requests", type=int, default=300)
    a.add_argument("--plain-requests", type=int, default=60)
    a.add_argument("--plain-sos", type=int, default=4)
    a.add_argument("--skip-verify", action="store_true")
    a.add_argument("--verify-plain", type=int, default=40, help="how many of the first queries are also compared with HAPI's generic search")
    a.add_argument("--skip-plain", action="store_true")
    a.add_argument("--cert", help="client certificate (PEM), for an https base: the server reached as a registered client")
    a.add_argument("--key", help="its private key (PEM)")
    a.add_argument("--cacert", help="the authority of the server's certificate (PEM)")
    args = a.parse_args()
    global CLIENT
    CLIENT = Client(args.base, args.cert, args.key, args.cacert)
    spec = json.load(open(f"{args.data}/queries.json"))
    queries = spec["queries"]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if now > spec["validUntil"]:
        sys.exit(f"the data's expected answers held until {spec['validUntil']} (now {now}): generate and load again")

    problems = 0
    if not args.skip_verify:
        print(f"verifying {len(queries)} queries ...", flush=True)
        problems = verify(args.base, queries, args.verify_plain)
        print(f"verification: {problems} problem(s)", flush=True)

    # warm-up: one pass of a few queries of each shape on both paths
    for q in queries[:20]:
        fetch(args.base, q["url"])
    ratios = []
    for c in [int(x) for x in args.concurrency.split(",")]:
        mix = [queries[i % len(queries)] for i in range(args.requests)]
        lat, wall, err = run(args.base, mix, c, plain=False)
        dedicated = report(f"dedicated path, concurrency {c}", lat, wall, err)
        dedicated_lat = lat
        if args.skip_plain:
            continue
        sos_left = args.plain_sos
        plain_mix = []
        for q in queries:
            if len(plain_mix) >= args.plain_requests:
                break
            if q["shape"] == "sos":
                if sos_left == 0:
                    continue
                sos_left -= 1
            plain_mix.append(q)
        lat, wall, err = run(args.base, plain_mix, c, plain=True)
        plain = report(f"HAPI generic search, concurrency {c}", lat, wall, err)
        # Same concurrency, same server: a shape's throughput is inversely proportional to its mean latency.
        per_shape = {shape: (sum(lat[shape]) / len(lat[shape])) / (sum(dedicated_lat[shape]) / len(dedicated_lat[shape]))
                     for shape in lat if shape in dedicated_lat and lat[shape]}
        ratios.append((c, dedicated / plain, per_shape))
    for c, r, per_shape in ratios:
        shapes = ", ".join(f"{shape} {x:.0f}x" for shape, x in per_shape.items())
        print(f"concurrency {c}: dedicated / generic throughput {r:.1f}x over the two mixes; "
              f"per shape (mean latency ratio): {shapes}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
