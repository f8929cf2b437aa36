#!/usr/bin/env python3
"""The FHIR searches an analyst types, against a server loaded with bench/generate.py's data: each answer checked
against the ground truth computed here from the generated files, then timed.

Usage:
    python3 bench/analyst_searches.py --data /tmp/sas-data --base http://localhost:8080/fhir [--runs 5] [--copies 1]

--copies: how many times each generated slot is stored (1 after bench/load.py; N after bench/clone_slots.sql with
copies=N-1, which stores each slot again under other ids, same schedule, same times): the slot figures are
multiplied by it. The searches are sent as an analyst's tool sends them (raw `|`). Each is run once to check its
answer (Bundle.total, the first page's order and content), then --runs times; prints p50/p95/max in ms per search
and exits 1 if an answer was wrong. --hapi sends every search to HAPI's generic search (header X-Sas-Search-Path: hapi,
honoured with sas.search.plain-path-header=true), to compare it with the server's fast paths in alternated rounds.
"""
import argparse, collections, glob, json, os, statistics, sys, time, urllib.request
from datetime import datetime, timedelta, timezone

SLOT_TYPE = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
RPPS = "urn:oid:1.2.250.1.71.4.2.1"
FINESS = "urn:oid:1.2.250.1.71.4.2.2"


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Data:
    """What the generated transactions hold, as the searches need it."""

    def __init__(self, folder):
        self.slots = []                                    # (start, security codes, specialty codes, schedule id)
        self.schedule_actors = {}                          # schedule id -> [reference]
        self.role_practitioner = {}                        # role id -> practitioner id
        self.role_specialties = collections.defaultdict(set)
        self.practitioner_rpps = {}                        # practitioner id -> RPPS (prefixed)
        self.organization_ids = {}                         # Organization id -> [(system, value)]
        for path in sorted(glob.glob(os.path.join(folder, "tx-*.json"))):
            with open(path, encoding="utf-8") as f:
                bundle = json.load(f)
            for entry in bundle["entry"]:
                self.add(entry["resource"])

    def add(self, r):
        kind = r["resourceType"]
        if kind == "Slot":
            security = {c["code"] for c in r.get("meta", {}).get("security", []) if c["system"] == SLOT_TYPE}
            specialties = {c["code"] for s in r.get("specialty", []) for c in s.get("coding", [])}
            self.slots.append((instant(r["start"]), security, specialties, r["schedule"]["reference"].split("/")[1]))
        elif kind == "Schedule":
            self.schedule_actors[r["id"]] = [a["reference"] for a in r["actor"]]
        elif kind == "PractitionerRole":
            self.role_practitioner[r["id"]] = r["practitioner"]["reference"].split("/")[1]
            for s in r.get("specialty", []):
                for c in s.get("coding", []):
                    self.role_specialties[r["id"]].add(c["code"])
        elif kind == "Practitioner":
            self.practitioner_rpps[r["id"]] = next(i["value"] for i in r["identifier"] if i["system"] == RPPS)
        elif kind == "Organization":
            self.organization_ids[r["id"]] = [(i["system"], i["value"]) for i in r.get("identifier", [])]

    def practitioner_of_schedule(self, schedule):
        for actor in self.schedule_actors[schedule]:
            if actor.startswith("Practitioner/"):
                return actor.split("/")[1]
        return None


def searches(data, copies):
    """(name, what an analyst asks, query, expected total, check of the first page or None)."""
    starts = sorted(s[0] for s in data.slots)
    first_day = starts[0].replace(hour=0, minute=0, second=0)
    day = first_day + timedelta(days=2)
    morning = (day + timedelta(hours=8), day + timedelta(hours=12))
    since = starts[len(starts) // 2]
    by_practitioner = collections.Counter(data.practitioner_of_schedule(s[3]) for s in data.slots)
    busy = sorted(p for p in by_practitioner if p)[len(by_practitioner) // 3]
    rpps = data.practitioner_rpps[busy]
    roles_of = collections.Counter(data.role_practitioner.values())
    with_two_roles = sorted(p for p, n in roles_of.items() if n == 2)[0]
    specialty = "SM54"
    practitioners_with_specialty = {p for role, p in data.role_practitioner.items() if specialty in data.role_specialties[role]}
    cpts_org = sorted(o for o in data.organization_ids if o.startswith("cpts-org"))[0]
    finess = next(v for s, v in data.organization_ids[cpts_org] if s == FINESS)
    from_since = [s for s in data.slots if s[0] >= since]
    first_start = min(s[0] for s in from_since)

    def sorted_from(bundle):
        got = [instant(e["resource"]["start"]) for e in bundle.get("entry", []) if e["resource"]["resourceType"] == "Slot"]
        if len(got) != 50 or got != sorted(got) or got[0] != first_start:
            return f"first page: {len(got)} slots, sorted {got == sorted(got)}, first {got[:1]} (expected {first_start})"
        return None

    def count(predicate):
        return sum(1 for s in data.slots if predicate(s)) * copies

    return [
        ("slots-free-sorted", "free slots from a date, earliest first (first page of 50)",
         f"Slot?status=free&start=ge{iso(since)}&_sort=start&_count=50", len(from_since) * copies, sorted_from),
        ("slots-cpts-count", "how many CPTS slots (meta.security)",
         f"Slot?_security={SLOT_TYPE}|CPTS&_summary=count", count(lambda s: "CPTS" in s[1]), None),
        ("slots-free-count", "how many free slots",
         "Slot?status=free&_summary=count", count(lambda s: True), None),
        ("slots-day-count", "how many slots start on a day",
         f"Slot?start=ge{iso(day)}&start=lt{iso(day + timedelta(days=1))}&_summary=count",
         count(lambda s: day <= s[0] < day + timedelta(days=1)), None),
        ("slots-morning-accurate", "a morning's slots, total asked (_total=accurate)",
         f"Slot?start=ge{iso(morning[0])}&start=lt{iso(morning[1])}&_total=accurate&_count=10",
         count(lambda s: morning[0] <= s[0] < morning[1]), None),
        ("slots-public-day-count", "a day's slots open to the public (meta.security and date)",
         f"Slot?_security={SLOT_TYPE}|PUBLIC&start=ge{iso(day)}&start=lt{iso(day + timedelta(days=1))}&_summary=count",
         count(lambda s: "PUBLIC" in s[1] and day <= s[0] < day + timedelta(days=1)), None),
        ("slots-specialty-count", "how many slots of a specialty",
         f"Slot?specialty={specialty}&_summary=count", count(lambda s: specialty in s[2]), None),
        ("slots-updated-count", "slots written since a date (_lastUpdated)",
         "Slot?_lastUpdated=ge2020-01-01&_summary=count", count(lambda s: True), None),
        ("practitioner-identifier", "a practitioner by RPPS",
         f"Practitioner?identifier={RPPS}|{rpps}", 1, None),
        ("organization-identifier", "a CPTS by FINESS",
         f"Organization?identifier={FINESS}|{finess}", 1, None),
        ("slots-of-practitioner", "a practitioner's slots (chain of two levels)",
         f"Slot?schedule.actor:Practitioner.identifier={RPPS}|{rpps}&_sort=start&_count=20", by_practitioner[busy] * copies, None),
        ("schedules-of-practitioner", "a practitioner's schedules through the roles (chain of two levels)",
         f"Schedule?actor:PractitionerRole.practitioner.identifier={RPPS}|{data.practitioner_rpps[with_two_roles]}",
         2, None),
        ("slots-of-schedule-actor", "slots of a practitioner's schedules (chain of one level)",
         f"Slot?schedule.actor=Practitioner/{busy}&_summary=count", by_practitioner[busy] * copies, None),
        ("practitioners-with-specialty", "practitioners with a role of a specialty (_has)",
         f"Practitioner?_has:PractitionerRole:practitioner:specialty={specialty}&_summary=count",
         len(practitioners_with_specialty), None),
    ]


HEADERS = {"Accept": "application/fhir+json"}


def get(base, query):
    req = urllib.request.Request(base.rstrip("/") + "/" + query, headers=HEADERS)
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        body = json.loads(r.read())
    return body, (time.perf_counter() - started) * 1000


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--data", required=True)
    a.add_argument("--base", default="http://localhost:8080/fhir")
    a.add_argument("--runs", type=int, default=5)
    a.add_argument("--copies", type=int, default=1)
    a.add_argument("--only", help="comma-separated names")
    a.add_argument("--hapi", action="store_true",
                   help="send X-Sas-Search-Path: hapi (HAPI's generic search for every search; the server needs"
                        " sas.search.plain-path-header=true)")
    args = a.parse_args()
    if args.hapi:
        HEADERS["X-Sas-Search-Path"] = "hapi"
    data = Data(args.data)
    print(f"{len(data.slots)} generated slots, stored {args.copies} time(s) each")
    wrong = 0
    print(f"{'search':32} {'total':>9} {'first ms':>9} {'p50':>7} {'p95':>7} {'max':>7}  query")
    for name, _, query, expected, check in searches(data, args.copies):
        if args.only and name not in args.only.split(","):
            continue
        body, first = get(args.base, query)
        problem = None if body.get("total") == expected else f"total {body.get('total')}, expected {expected}"
        problem = problem or (check(body) if check else None)
        if problem:
            wrong += 1
        times = sorted(get(args.base, query)[1] for _ in range(args.runs))
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{name:32} {body.get('total', '-'):>9} {first:9.0f} {statistics.median(times):7.0f} {p95:7.0f} "
              f"{times[-1]:7.0f}  {query}" + (f"\n  WRONG: {problem}" if problem else ""))
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
