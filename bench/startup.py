#!/usr/bin/env python3
"""Time to ready after a start, and the first searches after it against the same searches warm.

Usage: python3 bench/startup.py --data /tmp/sas-data --data-dir /tmp/bench/h2data [--java java]
           [--jvm="-Xmx2g -XX:SharedArchiveFile=app.jsa"] [--jar target/sas-fhir-server.jar] [--requests 1000]
           [--concurrency 4] [--no-warmup] [--keep] [--ready-only] [--threads]

Starts the server (`<java> <jvm options> -jar <jar> --server.port=<free> --sas.data-dir=<data-dir>`) on data
loaded before (bench/generate.py, bench/load.py), measures the time from the process start to the first 200 of
/actuator/health/readiness, then sends --requests contextual searches (bench/contextual_load.py's mix) and
--requests guide searches (queries.json of bench/generate.py, its three shapes in turn) at --concurrency:
"first" is the first ones after the start; the same mixes are sent twice more and the last run is "warm".
Prints the p50/p95 of each, then stops the server (SIGTERM, a graceful shutdown) unless --keep. With the time to
ready it prints the CPU time the server's process had used by then (user + system, all its threads): on a shared,
noisy machine the wall time varies with the others' load, the CPU time much less. --ready-only stops there.
"""
import argparse, json, os, random, re, shlex, signal, socket, subprocess, sys, time, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor

from contextual_load import mix
from keepalive import Client


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/actuator/health/readiness", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def cpu_seconds(pid):
    """User + system CPU time of the process, all its threads (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_thread(pid):
    """CPU time by kind of thread (its name without the number: C2 compiler, GC, main, http-nio...), largest first."""
    kinds = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        kind = re.sub(r"#\d+|\d+$", "", name).strip(" -#")
        fields = text.rsplit(")", 1)[1].split()
        kinds[kind] = kinds.get(kind, 0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return sorted(kinds.items(), key=lambda item: -item[1])[:8]


def timed(client, paths, concurrency):
    def one(path):
        t = time.perf_counter()
        status, body = client.get(path, {"Accept": "application/fhir+json"})
        if status != 200:
            sys.exit(f"{status} for {path}: {body[:300]!r}")
        return (time.perf_counter() - t) * 1000
    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, paths))
    return times[len(times) // 2], times[int(0.95 * (len(times) - 1))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="the folder bench/generate.py wrote")
    p.add_argument("--data-dir", required=True, help="the server's sas.data-dir, data loaded")
    p.add_argument("--java", default="java")
    p.add_argument("--jvm", default="", help="JVM options")
    p.add_argument("--jar", default="target/sas-fhir-server.jar")
    p.add_argument("--args", default="", help="more server arguments")
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--practitioners", type=int, default=3000, help="--practitioners of bench/generate.py")
    p.add_argument("--keep", action="store_true", help="leave the server running")
    p.add_argument("--ready-only", action="store_true", help="measure the start only, no search")
    p.add_argument("--threads", action="store_true", help="print the CPU to ready by kind of thread (JIT, GC, main...)")
    a = p.parse_args()
    queries = json.load(open(os.path.join(a.data, "queries.json")))["queries"]
    guide = [q["url"].replace("|", "%7C").replace(" ", "%20") for q in queries]
    guide = [guide[i % len(guide)] for i in range(a.requests)]
    practitioners = a.practitioners or 3000
    contextual = ["Slot/$contextual-search?" + urllib.parse.urlencode(q)
                  for q in mix(a.requests, practitioners, random.Random(11))]
    port = free_port()
    command = [a.java, *shlex.split(a.jvm), "-jar", a.jar, f"--server.port={port}", f"--sas.data-dir={a.data_dir}",
               *shlex.split(a.args)]
    print(" ".join(command), flush=True)
    log = open(os.path.join(a.data_dir, f"startup-{port}.log"), "w")
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not ready(port):
            if server.poll() is not None:
                sys.exit(f"the server stopped ({server.returncode}): {log.name}")
            time.sleep(0.1)
        print(f"ready in {time.perf_counter() - started:.1f} s (CPU {cpu_seconds(server.pid):.1f} s;"
              f" load average {os.getloadavg()[0]:.1f})", flush=True)
        if a.threads:
            print("CPU to ready by thread: " + ", ".join(f"{name} {seconds:.1f} s"
                                                         for name, seconds in cpu_by_thread(server.pid)), flush=True)
        if a.ready_only:
            return
        client = Client(f"http://127.0.0.1:{port}/fhir", timeout=300)
        runs = {}
        for run in ("first", "second", "warm"):
            runs[run] = (timed(client, contextual, a.concurrency), timed(client, guide, a.concurrency))
            (c50, c95), (g50, g95) = runs[run]
            print(f"{run}: contextual p50 {c50:.1f} / p95 {c95:.1f} ms; guide searches p50 {g50:.1f} / p95 {g95:.1f} ms"
                  f" ({a.requests} each, concurrency {a.concurrency})", flush=True)
        (c95f, g95f), (c95w, g95w) = (runs["first"][0][1], runs["first"][1][1]), (runs["warm"][0][1], runs["warm"][1][1])
        print(f"first / warm p95: contextual {c95f / c95w:.2f}, guide searches {g95f / g95w:.2f}", flush=True)
    finally:
        if not a.keep:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=300)


if __name__ == "__main__":
    main()
