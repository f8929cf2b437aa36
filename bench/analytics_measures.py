#!/usr/bin/env python3
"""Times Measure/<id>/$evaluate-measure (analytics) against a running server: p50/p95 per measure and stratifier set.

  python3 bench/analytics_measures.py --base http://localhost:8080/fhir --start 2026-09-01 --end 2026-09-30 --runs 15
"""
import argparse
import json
import statistics
import time
import urllib.request

MEASURES = [
    ("sas-slots-offered", "departement,month,week,use-case,specialty,slot-type,publisher"),
    ("sas-slots-offered", "departement"),
    ("sas-practitioners-with-slots", "departement,month,use-case,specialty,publisher"),
    ("sas-structures-with-slots", "departement,use-case"),
    ("sas-orientations", "departement,month,status,orientation"),
    ("sas-searches", "month,week,search,origin,role"),
    ("sas-regulator-accounts", "month"),
    ("sas-lrm-transmissions", "month,state,samu,departement"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8080/fhir")
    parser.add_argument("--start", default="2026-09-01")
    parser.add_argument("--end", default="2026-09-30")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--header", action="append", default=[], help="Name: value (a token, for instance)")
    args = parser.parse_args()
    headers = {"Accept": "application/fhir+json"}
    for h in args.header:
        name, value = h.split(":", 1)
        headers[name.strip()] = value.strip()
    print(f"{'measure':32} {'stratifiers':60} {'total':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for measure, stratifiers in MEASURES:
        url = (f"{args.base}/Measure/{measure}/$evaluate-measure?periodStart={args.start}&periodEnd={args.end}"
               f"&stratifier={stratifiers}")
        times = []
        total = None
        for i in range(args.runs + 1):
            began = time.perf_counter()
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as answer:
                report = json.load(answer)
            if i > 0:  # the first is a warm-up
                times.append((time.perf_counter() - began) * 1000)
            group = report["group"][0]
            total = group.get("population", [{}])[0].get("count", group.get("measureScore", {}).get("value"))
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        print(f"{measure:32} {stratifiers:60} {total!s:>10} {statistics.median(times):8.0f} {p95:8.0f}")


if __name__ == "__main__":
    main()
