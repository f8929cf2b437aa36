#!/usr/bin/env python3
"""Validated-write throughput: slots per second stored through transactions of 500 FrSlotAgregateur Slots.

Usage: start the server (embedded default), then
    python3 bench/validated_writes.py [--base http://localhost:8080/fhir] [--transactions 10] [--size 500] [--clients 1]
Deterministic data (seeded); the first transaction of each client is a warm-up and is not counted. Prints one
line per transaction and the steady-state figure: with several clients (publishers writing at the same time),
the slots of all counted transactions over the wall time from the first counted one to the last. Only talks to
the server given in --base (loopback by default).
"""
import argparse, json, random, threading, time, urllib.request
from datetime import datetime, timedelta, timezone

SD = "http://sas.fr/fhir/StructureDefinition/"
TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"

def post(base, body):
    req = urllib.request.Request(base, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.status

def put_entry(resource):
    return {"resource": resource, "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}}

def graph(run):
    ident = lambda tsys, code, sys, value: {"type": {"coding": [{"system": tsys, "code": code}]}, "system": sys, "value": value}
    pract = {"resourceType": "Practitioner", "id": f"bench-p-{run}", "meta": {"profile": [SD + "FrPractitionerAgregateur"]},
             "identifier": [ident("http://interopsante.org/fhir/CodeSystem/fr-v2-0203", "IDNPS", "urn:oid:1.2.250.1.71.4.2.1", "810000000099")],
             "name": [{"family": "Bench", "given": ["Marc"]}]}
    role = {"resourceType": "PractitionerRole", "id": f"bench-r-{run}", "meta": {"profile": [SD + "FrPractitionerRoleExerciceAgregateur"]},
            "contained": [{"resourceType": "Location", "id": "place", "meta": {"profile": [SD + "FrLocationAgregateur"]},
                           "identifier": [ident("http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "INTRN", "https://editeur.example.fr", "place-1")],
                           "address": {"line": ["1 rue de la Paix"], "city": "Rennes", "postalCode": "35000"}}],
            "practitioner": {"reference": f"Practitioner/bench-p-{run}"}, "location": [{"reference": "#place"}]}
    sched = {"resourceType": "Schedule", "id": f"bench-s-{run}", "meta": {"profile": [SD + "FrScheduleAgregateur"]},
             "actor": [{"reference": f"Practitioner/bench-p-{run}"}, {"reference": f"PractitionerRole/bench-r-{run}"}]}
    return {"resourceType": "Bundle", "type": "transaction", "entry": [put_entry(r) for r in (pract, role, sched)]}

def slots(run, t, size, rng, start):
    out = []
    for i in range(size):
        begin = start + timedelta(minutes=20 * (t * size + i))
        out.append(put_entry({
            "resourceType": "Slot", "id": f"bench-{run}-{t}-{i}",
            "meta": {"profile": [SD + "FrSlotAgregateur"], "security": [{"system": TYPE_CRENEAU, "code": rng.choice(["PUBLIC", "PRO", "SNP"])}]},
            "serviceType": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": rng.choice(["AMB", "HH", "VR"])}]}],
            "specialty": [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale", "code": "SM54"}]}],
            "appointmentType": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "ROUTINE"}]},
            "schedule": {"reference": f"Schedule/bench-s-{run}"}, "status": "free",
            "start": begin.isoformat(), "end": (begin + timedelta(minutes=20)).isoformat(),
            "comment": f"https://editeur.example.fr/rdv/{i}"}))
    return {"resourceType": "Bundle", "type": "transaction", "entry": out}

def client(a, run, seed, report, barrier):
    rng = random.Random(seed)
    post(a.base, graph(run))
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=1)
    for t in range(a.transactions + 1):
        body = slots(run, t, a.size, rng, start)
        if t == 1:
            barrier.wait()
        t0 = time.perf_counter(); status = post(a.base, body); t1 = time.perf_counter()
        print(f"client {seed - 42} transaction {t}{' (warm-up)' if t == 0 else ''}: HTTP {status}, "
              f"{t1 - t0:.2f} s, {a.size / (t1 - t0):.0f} slots/s", flush=True)
        if t > 0: report.append((t0, t1))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://localhost:8080/fhir")
    p.add_argument("--transactions", type=int, default=10)
    p.add_argument("--size", type=int, default=500)
    p.add_argument("--clients", type=int, default=1)
    a = p.parse_args()
    run = int(time.time())
    report, barrier = [], threading.Barrier(a.clients)
    threads = [threading.Thread(target=client, args=(a, f"{run}-{c}", 42 + c, report, barrier)) for c in range(a.clients)]
    for th in threads: th.start()
    for th in threads: th.join()
    wall = max(t1 for _, t1 in report) - min(t0 for t0, _ in report)
    print(f"steady state: {a.size * len(report) / wall:.0f} validated slots/s over {len(report)} transactions of "
          f"{a.size} from {a.clients} client(s)")

if __name__ == "__main__":
    main()
