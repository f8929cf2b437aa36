#!/usr/bin/env python3
"""Checks slot measures against the bench's rows (analytics_facts.sql): each stratum of $evaluate-measure equals a
GROUP BY psql computes over the facts and the daily aggregate, for periods across the folded summaries' bounds.

  python3 bench/analytics_check.py --base http://localhost:8080/fhir --db sas_analytics
"""
import argparse
import json
import subprocess
import urllib.request

# (measure, group, stratifier, column, aggregate over the rows, period)
CHECKS = [
    ("sas-practitioners-with-slots", "practitioners", "departement", "departement", "count(distinct practitioner)", "2026-08-20", "2026-09-10"),
    ("sas-practitioners-with-slots", "practitioners", "week", "week_key", "count(distinct practitioner)", "2026-07-15", "2026-09-30"),
    ("sas-structures-with-slots", "structures", "week", "week_key", "count(distinct structure)", "2026-09-03", "2026-09-17"),
    ("sas-slots-offered", "slots", "week", "week_key", "sum(n)", "2026-08-20", "2026-09-10"),
    ("sas-slots-offered", "slots", "publisher", "publisher", "sum(n)", "2026-06-01", "2026-09-30"),
    ("sas-slots-offered", "slots", "specialty", "specialty", "sum(n)", "2026-09-29", "2026-09-30"),
]


def report(base, measure, stratifier, start, end):
    url = f"{base}/Measure/{measure}/$evaluate-measure?periodStart={start}&periodEnd={end}&stratifier={stratifier}"
    answer = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/fhir+json"}), timeout=120))
    out = {}
    for group in answer["group"]:
        for s in group.get("stratifier", []):
            for stratum in s.get("stratum", []):
                if "population" not in stratum:  # a score (hours)
                    continue
                out[(group["code"]["coding"][0]["code"], stratum["value"]["text"])] = stratum["population"][0]["count"]
    return out


def truth(db, column, aggregate, start, end):
    rows = (f"select {column}, practitioner, structure, 1 n from sas_an_slot where day_key between '{start}' and '{end}'"
            f" and day_key not in (select day_key from sas_an_closed_day)"
            f" union all select {column}, practitioner, structure, slots from sas_an_slot_day where day_key between '{start}' and '{end}'")
    query = f"select coalesce({column}, 'unknown'), {aggregate} from ({rows}) s group by 1"
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", query], capture_output=True, text=True, check=True)
    return {line.split("|")[0]: int(line.split("|")[1]) for line in out.stdout.strip().splitlines()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8080/fhir")
    parser.add_argument("--db", default="sas_analytics")
    args = parser.parse_args()
    failed = 0
    for measure, group, stratifier, column, aggregate, start, end in CHECKS:
        expected = {(group, k): v for k, v in truth(args.db, column, aggregate, start, end).items() if v}
        got = {k: v for k, v in report(args.base, measure, stratifier, start, end).items() if k[0] == group}
        same = expected == got
        failed += not same
        print(f"{measure:30} {stratifier:12} {start}..{end} {len(expected):4} strata {'equal' if same else 'DIFFERENT'}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
