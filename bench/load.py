#!/usr/bin/env python3
"""Loads the transactions written by bench/generate.py into a server, in file order.

Usage: python3 bench/load.py --data /tmp/sas-data [--base http://localhost:8080/fhir] [--concurrency 2]
Reference data (the first transactions, up to the first one holding Slots) is regrouped by dependency level
(organizations; services and practitioners; roles and places; schedules), each level in transactions of
--size entries posted by --concurrency clients once the level before is stored, since a resource references
only resources of earlier levels; slot transactions are then posted by --concurrency clients.
Prints the resources per second of each phase, and of each level of the directory.
"""
import argparse, glob, json, os, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor


# A resource references only resources of a lower level (a CPTS service its organization, a role its
# practitioner, an SOS place its organization, a schedule its role or place).
LEVELS = {"Organization": 0, "HealthcareService": 1, "Practitioner": 1, "PractitionerRole": 2, "Location": 2, "Schedule": 3}


def post(base, path):
    with open(path, "rb") as f:
        body = f.read()
    return post_body(base, body, os.path.basename(path))


def post_body(base, body, name):
    req = urllib.request.Request(base, data=body, method="POST",
                                 headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json",
                                          "Prefer": "return=minimal"})
    try:
        with urllib.request.urlopen(req, timeout=1800) as r:
            r.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"{name}: HTTP {e.code}\n{e.read().decode()[:4000]}")
    return body.count(b'"request":')


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--base", default="http://localhost:8080/fhir")
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--size", type=int, default=500, help="entries per reference transaction")
    p.add_argument("--reference-only", action="store_true",
                   help="the directory only, no slot (a server whose slots come from publishers: the aggregator)")
    p.add_argument("--slot-files", type=int, default=0,
                   help="post only the first N slot transactions (0: all), for the phases' rates without the whole load")
    a = p.parse_args()
    files = sorted(glob.glob(os.path.join(a.data, "tx-*.json")))
    first_slots = next((i for i, f in enumerate(files) if b'"resourceType":"Slot"' in open(f, "rb").read(4000)), len(files))
    levels = {}
    for f in files[:first_slots]:
        for entry in json.load(open(f))["entry"]:
            levels.setdefault(LEVELS[entry["resource"]["resourceType"]], []).append(entry)
    t0, n = time.time(), 0
    with ThreadPoolExecutor(a.concurrency) as pool:
        for level in sorted(levels):
            entries = levels[level]
            bodies = [json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries[i:i + a.size]},
                                 separators=(",", ":")).encode() for i in range(0, len(entries), a.size)]
            started = time.time()
            stored = sum(pool.map(lambda b: post_body(a.base, b, f"reference level {level}"), bodies))
            types = ", ".join(sorted({e["resource"]["resourceType"] for e in entries}))
            print(f"  level {level} ({types}): {stored} in {time.time() - started:.1f} s "
                  f"({stored / (time.time() - started):.0f}/s)", flush=True)
            n += stored
    print(f"reference: {n} resources in {time.time() - t0:.0f} s ({n / (time.time() - t0):.0f}/s)", flush=True)
    if a.reference_only:
        return
    t1, done = time.time(), 0
    with ThreadPoolExecutor(a.concurrency) as pool:
        slot_files = files[first_slots:first_slots + a.slot_files] if a.slot_files else files[first_slots:]
        for i, count in enumerate(pool.map(lambda f: post(a.base, f), slot_files)):
            done += count
            if i % 20 == 19:
                print(f"  {done} slots, {done / (time.time() - t1):.0f}/s", flush=True)
    print(f"slots: {done} in {time.time() - t1:.0f} s ({done / (time.time() - t1):.0f}/s)")


if __name__ == "__main__":
    main()
