#!/usr/bin/env python3
"""Loads the transactions written by bench/generate.py into a server, in file order.

Usage: python3 bench/load.py --data /tmp/sas-data [--base http://localhost:8080/fhir] [--concurrency 2]
Reference data (the first transactions, up to the first one holding Slots) is posted one transaction at a
time, since later ones reference earlier ones; slot transactions are posted by --concurrency clients.
Prints the resources per second of each phase.
"""
import argparse, glob, json, os, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor


def post(base, path):
    with open(path, "rb") as f:
        body = f.read()
    req = urllib.request.Request(base, data=body, method="POST",
                                 headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json",
                                          "Prefer": "return=minimal"})
    try:
        with urllib.request.urlopen(req, timeout=1800) as r:
            r.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"{os.path.basename(path)}: HTTP {e.code}\n{e.read().decode()[:4000]}")
    return body.count(b'"request":')


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--base", default="http://localhost:8080/fhir")
    p.add_argument("--concurrency", type=int, default=2)
    a = p.parse_args()
    files = sorted(glob.glob(os.path.join(a.data, "tx-*.json")))
    first_slots = next(i for i, f in enumerate(files) if b'"resourceType":"Slot"' in open(f, "rb").read(4000))
    t0, n = time.time(), 0
    for f in files[:first_slots]:
        n += post(a.base, f)
    print(f"reference: {n} resources in {time.time() - t0:.0f} s ({n / (time.time() - t0):.0f}/s)", flush=True)
    t1, done = time.time(), 0
    with ThreadPoolExecutor(a.concurrency) as pool:
        for i, count in enumerate(pool.map(lambda f: post(a.base, f), files[first_slots:])):
            done += count
            if i % 20 == 19:
                print(f"  {done} slots, {done / (time.time() - t1):.0f}/s", flush=True)
    print(f"slots: {done} in {time.time() - t1:.0f} s ({done / (time.time() - t1):.0f}/s)")


if __name__ == "__main__":
    main()
