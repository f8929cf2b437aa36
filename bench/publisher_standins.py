#!/usr/bin/env python3
"""Publisher stand-ins for the aggregator's benchmark: N publishers' FHIR endpoints on the loopback address, each
answering the guide's three searches for its share of the practitioners (and SOS Médecins associations) of a data set
written by bench/generate.py, after a latency drawn for that publisher (50-800 ms), one of them never answering.

Usage:
    python3 bench/publisher_standins.py --data /work/data/nat30k --publishers 50 --first-port 9100 \\
        [--hanging 1] [--shared 0.01] [--register http://localhost:8080/fhir]

Each publisher i listens on first-port + i and owns a share of the practitioners (and associations): the market is
skewed as it is (a few publishers hold most agendas): publisher i's share is proportional to 1/(i+1)^zipf (--zipf 0:
all equal), a practitioner going to a publisher by the hash of its RPPS (and, with --shared, to the next publisher
too: the same slots from two publishers). Each publisher's base latency is drawn between 50 and 800 ms (log-uniform),
each answer within +-30 % of it. Publisher --hanging-index (3 by default, about 5 % of the agendas) never answers
(--hanging 0 for none). Answers are the guide's: a searchset Bundle of the slots starting within the window, their
Schedules, Practitioners and PractitionerRoles (CPTS: the CPTS slots within 48 h, with their HealthcareService and
Organization; SOS: the Schedules, with their Slots, Locations and Organizations), each entry with its fullUrl at the
publisher. --register PUTs one Endpoint per publisher to the server (as an administrator: the local trial). A control
port (first-port - 1) answers GET /stats with the requests each publisher received, as JSON, and GET /useful
with those it answered with at least one slot.
"""
import argparse, bisect, glob, hashlib, json, os, random, sys, threading, time, urllib.parse, urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
IDNST = "urn:oid:1.2.250.1.71.4.2.2"
SERVICE_TYPE = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"


class Data:
    """The data set, kept as encoded JSON: what each practitioner and association has, and their slots by start."""

    def __init__(self, folder):
        self.json = {}            # "Type/id" -> encoded resource (bytes)
        self.schedules_of = {}    # national id value -> [schedule id]
        self.actors_of = {}       # schedule id -> ["Type/id", ...]
        self.slots = {}           # schedule id -> (starts [epoch], [(end, bytes, service ref or None, id)])
        self.org_of_location = {}
        self.org_of_service = {}
        practitioner_rpps, location_org, org_ids, pending_slots = {}, {}, {}, {}
        for path in sorted(glob.glob(os.path.join(folder, "tx-*.json"))):
            for entry in json.load(open(path))["entry"]:
                r = entry["resource"]
                ref = f"{r['resourceType']}/{r['id']}"
                if r["resourceType"] == "Slot":
                    start = datetime.fromisoformat(r["start"]).timestamp()
                    end = datetime.fromisoformat(r["end"]).timestamp()
                    service = None
                    for t in r.get("serviceType", []):
                        for e in t.get("extension", []):
                            if e["url"] == SERVICE_TYPE:
                                service = e["valueReference"]["reference"]
                    sched = r["schedule"]["reference"].split("/")[1]
                    pending_slots.setdefault(sched, []).append((start, end, json.dumps(r, separators=(",", ":")).encode(), service,
                                                                r["id"]))
                    continue
                self.json[ref] = json.dumps(r, separators=(",", ":")).encode()
                if r["resourceType"] == "Practitioner":
                    practitioner_rpps[ref] = [i["value"] for i in r.get("identifier", []) if i.get("system") == IDNPS]
                elif r["resourceType"] == "Organization":
                    org_ids[ref] = [i["value"] for i in r.get("identifier", []) if i.get("system") == IDNST]
                elif r["resourceType"] == "Location" and "managingOrganization" in r:
                    location_org[ref] = r["managingOrganization"]["reference"]
                elif r["resourceType"] == "HealthcareService" and "providedBy" in r:
                    self.org_of_service[ref] = r["providedBy"]["reference"]
                elif r["resourceType"] == "Schedule":
                    self.actors_of[r["id"]] = [a["reference"] for a in r.get("actor", [])]
        self.org_of_location = location_org
        for sched, actors in self.actors_of.items():
            for actor in actors:
                for value in practitioner_rpps.get(actor, []):
                    self.schedules_of.setdefault(value, []).append(sched)
                if actor in location_org:
                    for value in org_ids.get(location_org[actor], []):
                        self.schedules_of.setdefault(value, []).append(sched)
        for sched, rows in pending_slots.items():
            rows.sort(key=lambda row: row[0])
            self.slots[sched] = ([row[0] for row in rows], [row[1:] for row in rows])
        self.practitioners = sorted(v for vs in practitioner_rpps.values() for v in vs)
        self.associations = sorted({v for ref, vs in org_ids.items() for v in vs if v.startswith("3")})


CUMULATIVE = []


def shares(publishers, zipf):
    weights = [1 / (i + 1) ** zipf for i in range(publishers)]
    total, acc = sum(weights), 0.0
    CUMULATIVE.clear()
    for w in weights:
        acc += w / total
        CUMULATIVE.append(acc)


def owner(value, publishers):
    point = int(hashlib.sha256(value.encode()).hexdigest(), 16) % 1_000_000 / 1_000_000
    return min(bisect.bisect_right(CUMULATIVE, point), publishers - 1)


def shared(value, rate):
    return int(hashlib.sha256(("shared" + value).encode()).hexdigest(), 16) % 10_000 < rate * 10_000


class Publisher:
    def __init__(self, index, data, args):
        self.index, self.data, self.args = index, data, args
        self.requests = 0
        self.useful = 0  # requests answered with at least one slot (a learnt route's ideal: every call useful)
        self.base = f"http://localhost:{args.first_port + index}/fhir"
        self.rng = random.Random(index)
        self.latency = 0.05 * (800 / 50) ** self.rng.random()
        self.hangs = args.hanging > 0 and index == args.hanging_index

    def owns(self, value):
        i = owner(value, self.args.publishers)
        return i == self.index or (shared(value, self.args.shared) and (i + 1) % self.args.publishers == self.index)

    def answer(self, path, query):
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        sos = path.endswith("/Schedule")
        chain = "actor:Location.organization.identifier" if sos else "schedule.actor:Practitioner.identifier"
        values = [v.split("|")[-1].strip() for v in ",".join(params.get(chain, [""])).split(",") if v.strip()]
        bounds = params.get("_has:Slot:schedule:start" if sos else "start", [])
        lo = min((parse(b[2:]) for b in bounds if b.startswith("ge")), default=0)
        hi = max((parse(b[2:]) for b in bounds if b.startswith("le")), default=1e12)
        cpts = any("service-type-reference" in v for v in params.get("_include", []))
        now = time.time()
        matches, includes = [], {}
        for value in values:
            if not self.owns(value):
                continue
            for sched in self.data.schedules_of.get(value, []):
                starts, rows = self.data.slots.get(sched, ([], []))
                kept = []
                for k in range(bisect.bisect_left(starts, lo), bisect.bisect_right(starts, hi)):
                    end, body, service, sid = rows[k]
                    if end <= now or (service is not None) != cpts or (cpts and starts[k] > now + 48 * 3600):
                        continue
                    kept.append((body, service, sid))
                if not kept:
                    continue
                sched_ref = "Schedule/" + sched
                for body, service, sid in kept:
                    ref, entry = self.entry("Slot/" + sid, body, "include" if sos else "match")
                    if sos:
                        includes[ref] = entry
                    else:
                        matches.append(entry)
                    if service:
                        includes.setdefault(service, self.entry(service, self.data.json[service], "include")[1])
                        org = self.data.org_of_service.get(service)
                        if org:
                            includes.setdefault(org, self.entry(org, self.data.json[org], "include")[1])
                if sos:
                    matches.append(self.entry(sched_ref, self.data.json[sched_ref], "match")[1])
                else:
                    includes.setdefault(sched_ref, self.entry(sched_ref, self.data.json[sched_ref], "include")[1])
                for actor in self.data.actors_of.get(sched, []):
                    if actor in self.data.json:
                        includes.setdefault(actor, self.entry(actor, self.data.json[actor], "include")[1])
                    org = self.data.org_of_location.get(actor)
                    if org:
                        includes.setdefault(org, self.entry(org, self.data.json[org], "include")[1])
        entries = matches + list(includes.values())
        if matches:
            self.useful += 1
        return (b'{"resourceType":"Bundle","type":"searchset","total":' + str(len(matches)).encode()
                + (b',"entry":[' + b",".join(entries) + b"]" if entries else b"") + b"}")

    def entry(self, ref, body, mode):
        return ref, (b'{"fullUrl":"' + f"{self.base}/{ref}".encode() + b'","resource":' + body
                     + b',"search":{"mode":"' + mode.encode() + b'"}}')


def parse(text):
    text = text.strip().replace(" ", "+")
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def serve(publisher, stop):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            publisher.requests += 1
            if publisher.hangs:
                stop.wait()
                return
            started = time.perf_counter()
            path, _, query = self.path.partition("?")
            try:
                body = publisher.answer(path, query)
            except Exception as e:  # a stand-in's own bug shows as a 500, never as silence
                body, status = json.dumps({"resourceType": "OperationOutcome", "issue": [{"severity": "error",
                                                                                           "code": "exception", "diagnostics": repr(e)}]}).encode(), 500
            else:
                status = 200
            delay = publisher.latency * publisher.rng.uniform(0.7, 1.3) - (time.perf_counter() - started)
            if delay > 0:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", publisher.args.first_port + publisher.index), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def register(base, publishers):
    for p in publishers:
        endpoint = {"resourceType": "Endpoint", "id": f"bench-publisher-{p.index}",
                    "meta": {"profile": ["https://sas-fhir-server.example/fhir/StructureDefinition/sas-publisher-endpoint"]},
                    "extension": [{"url": "https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-use-case", "valueCode": u}
                                  for u in ("individual", "cpts", "sos")]
                    + [{"url": "https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-environment", "valueCode": "recette"}],
                    "status": "active",
                    "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
                    "name": f"Bench publisher {p.index}",
                    "payloadType": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/endpoint-payload-type", "code": "any"}]}],
                    "address": p.base}
        req = urllib.request.Request(f"{base}/Endpoint/{endpoint['id']}", data=json.dumps(endpoint).encode(), method="PUT",
                                     headers={"Content-Type": "application/fhir+json"})
        urllib.request.urlopen(req, timeout=60).read()


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--data", required=True)
    a.add_argument("--publishers", type=int, default=50)
    a.add_argument("--first-port", type=int, default=9100)
    a.add_argument("--hanging", type=int, default=1, help="1: one publisher never answers; 0: none")
    a.add_argument("--hanging-index", type=int, default=3)
    a.add_argument("--zipf", type=float, default=1.0, help="skew of the publishers' shares (0: equal)")
    a.add_argument("--shared", type=float, default=0.01, help="share of practitioners two publishers both answer for")
    a.add_argument("--register", help="the server's FHIR base: PUT one Endpoint per publisher")
    args = a.parse_args()
    shares(args.publishers, args.zipf)
    t = time.time()
    data = Data(args.data)
    print(f"read {len(data.practitioners)} practitioners, {len(data.associations)} associations, "
          f"{sum(len(s[0]) for s in data.slots.values())} slots in {time.time() - t:.0f} s", flush=True)
    stop = threading.Event()
    publishers = [Publisher(i, data, args) for i in range(args.publishers)]
    for p in publishers:
        serve(p, stop)

    class Control(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            # /stats: the requests each publisher received; /useful: those it answered with slots
            counts = {p.base: (p.useful if self.path.startswith("/useful") else p.requests) for p in publishers}
            body = json.dumps(counts).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    control = ThreadingHTTPServer(("127.0.0.1", args.first_port - 1), Control)
    threading.Thread(target=control.serve_forever, daemon=True).start()
    if args.register:
        register(args.register, publishers)
        print(f"registered {len(publishers)} endpoints at {args.register}", flush=True)
    owned = [0] * args.publishers
    for value in data.practitioners:
        owned[owner(value, args.publishers)] += 1
    print(f"{len(publishers)} publishers on ports {args.first_port}-{args.first_port + args.publishers - 1} "
          f"({'publisher ' + str(args.hanging_index) + ' hanging' if args.hanging else 'none hanging'}); stats on "
          f"{args.first_port - 1}; practitioners per publisher: {owned[:10]}... {owned[-3:]}; latencies (ms): "
          f"{[round(p.latency * 1000) for p in publishers[:10]]}...", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop.set()


if __name__ == "__main__":
    main()
