#!/usr/bin/env python3
"""The contextual search in aggregator mode: latency, calls to publishers per search, heap and connections over a
long run. Needs bench/publisher_standins.py running (its stats on --stats) and the server in aggregator mode with the
data set's directory loaded (python3 bench/load.py --reference-only ...); see docs/aggregator.md for the commands.

Usage: python3 bench/aggregator_load.py --base http://localhost:8088/fhir --stats http://127.0.0.1:9099/stats \\
           --practitioners 30000 [--requests 600] [--warmup 1000] [--long 10000 --pid <server pid>]

Prints p50/p95/max at concurrency 1 and 4 (the contextual-search mix of bench/contextual_load.py); at concurrency 1
the calls each search made to the publishers (stats read before and after each one: median, p95, max); with --long,
a run of that many searches at concurrency 4, sampling every tenth of it the server's heap after a GC (jcmd) and its
established connections to the stand-ins (ss), which should stay flat.
"""
import argparse, json, random, statistics, subprocess, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

from contextual_load import mix, run
from keepalive import Client


def calls(stats):
    with urllib.request.urlopen(stats, timeout=30) as r:
        return sum(json.loads(r.read()).values())


def useful(stats):
    """Calls the stand-ins answered with slots: what a perfect routing would still make."""
    return calls(stats.replace("/stats", "/useful"))


def timed(client, queries, concurrency):
    with ThreadPoolExecutor(concurrency) as pool:
        t = time.perf_counter()
        results = list(pool.map(lambda iq: run(client, iq[1], iq[0] % 50 == 0), enumerate(queries)))
        wall = time.perf_counter() - t
    times = sorted(r[0] for r in results)
    return times, sum(1 for r in results if r[1]), wall


def report(label, times, found, wall):
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{label}: {len(times)} searches, {found} with slots; p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
          f"max {times[-1]:.0f} ms, {len(times) / wall:.1f} searches/s", flush=True)


def heap_and_connections(pid, first_port, publishers):
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True)
    info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    used = 0
    for line in info.splitlines():
        parts = line.replace(",", " ").split()
        if "total" in parts and "used" in parts:  # the heap's generations (Metaspace lines have no total)
            used += int(parts[parts.index("used") + 1].rstrip("K")) // 1024
    ss = subprocess.run(["ss", "-tnp", "state", "established"], capture_output=True, text=True).stdout
    ports = range(first_port, first_port + publishers)
    open_ = sum(1 for line in ss.splitlines() if f"pid={pid}," in line
                and any(line.split()[-2].endswith(f":{p}") for p in ports) if len(line.split()) >= 2)
    return used, open_


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://localhost:8088/fhir")
    p.add_argument("--stats", default="http://127.0.0.1:9099/stats")
    p.add_argument("--practitioners", type=int, default=30000)
    p.add_argument("--requests", type=int, default=600)
    p.add_argument("--warmup", type=int, default=1000, help="searches first (routes learnt, JIT), not reported")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--long", type=int, default=0)
    p.add_argument("--pid", type=int)
    p.add_argument("--first-port", type=int, default=9100)
    p.add_argument("--publishers", type=int, default=50)
    a = p.parse_args()
    client = Client(a.base, timeout=120)
    queries = mix(a.requests, a.practitioners, random.Random(a.seed))
    if a.warmup:
        warm = mix(a.warmup, a.practitioners, random.Random(a.seed + 1))
        report("warm-up, concurrency 4", *timed(client, warm, 4))
    per_search = []
    useful_per_search = []
    times = []
    found = 0
    t = time.perf_counter()
    for i, q in enumerate(queries):
        before, useful_before = calls(a.stats), useful(a.stats)
        elapsed, hit = run(client, q, i % 50 == 0)
        per_search.append(calls(a.stats) - before)
        useful_per_search.append(useful(a.stats) - useful_before)
        times.append(elapsed)
        found += hit
    wall = time.perf_counter() - t
    report("concurrency 1", sorted(times), found, wall)
    per_search.sort()
    print(f"calls to publishers per search: median {statistics.median(per_search):.0f}, "
          f"p95 {per_search[int(0.95 * (len(per_search) - 1))]}, max {per_search[-1]}, "
          f"mean {statistics.mean(per_search):.1f} ({a.publishers} publishers); of which answered with slots: median "
          f"{statistics.median(useful_per_search):.0f}, mean {statistics.mean(useful_per_search):.1f}", flush=True)
    before = calls(a.stats)
    times4, found4, wall4 = timed(client, queries, 4)
    report("concurrency 4", times4, found4, wall4)
    print(f"calls to publishers per search at concurrency 4: mean {(calls(a.stats) - before) / len(queries):.1f}", flush=True)
    if a.long:
        if not a.pid:
            sys.exit("--long needs --pid, the server's process")
        long_queries = mix(a.long, a.practitioners, random.Random(a.seed + 2))
        step = max(1, a.long // 10)
        print("searches  heap used after GC (MB)  connections to the stand-ins  p95 of the tenth (ms)", flush=True)
        used, conns = heap_and_connections(a.pid, a.first_port, a.publishers)
        print(f"{0:8d}  {used}  {conns}", flush=True)
        for start in range(0, a.long, step):
            t_, f_, w_ = timed(client, long_queries[start:start + step], 4)
            used, conns = heap_and_connections(a.pid, a.first_port, a.publishers)
            print(f"{start + step:8d}  {used}  {conns}  {sorted(t_)[int(0.95 * (len(t_) - 1))]:.0f}", flush=True)


if __name__ == "__main__":
    main()
