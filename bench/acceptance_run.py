#!/usr/bin/env python3
"""A full connected acceptance against this server in its publisher role: loads test agendas of the guide's three
shapes (individual practitioners, a CPTS, an SOS Médecins association) into a running server, writes the test-data
file, runs the command line (java -jar target/sas-fhir-server.jar acceptance ...) against the server's base and prints
its duration, the number of requests, the answer times and the verdicts (from the JSON report).

Usage: python3 bench/acceptance_run.py --base http://localhost:8088/fhir [--practitioners 25] [--slots 8]
           [--jar target/sas-fhir-server.jar] [--report /tmp/acceptance-report] [--series 20] [--regulator-accounts]
"""
import argparse, json, os, random, subprocess, sys, tempfile, time, urllib.request
from datetime import datetime, timedelta, timezone

SD = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/"
LEGACY = "http://sas.fr/fhir/StructureDefinition/"
IDNPS, IDNST = "urn:oid:1.2.250.1.71.4.2.1", "urn:oid:1.2.250.1.71.4.2.2"
R314 = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"


def digits(n):
    return "".join(random.choice("0123456789") for _ in range(n))


def ident(type_system, code, system, value):
    return {"type": {"coding": [{"system": type_system, "code": code}]}, "system": system, "value": value}


def slot(sid, schedule, start, profile=LEGACY + "FrSlotAgregateur", security=("PUBLIC",), extra_service=None, specialty=True):
    s = {"resourceType": "Slot", "id": sid, "meta": {"profile": [profile], "security": [{"system": R314, "code": c} for c in security]},
         "serviceType": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}]}],
         "appointmentType": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "ROUTINE"}]},
         "schedule": {"reference": "Schedule/" + schedule}, "status": "free",
         "start": start.isoformat(timespec="seconds"), "end": (start + timedelta(minutes=20)).isoformat(timespec="seconds"),
         "comment": "https://editeur.example.fr/rdv/" + sid}
    if specialty:
        s["specialty"] = [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale", "code": "SM54"}]}]
    if extra_service:
        s["serviceType"].append(extra_service)
    return s


def agendas(practitioners, slots, tag):
    t0 = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    rpps = ["8" + digits(11) for _ in range(practitioners)]
    finess, siret = "1" + digits(9), "3" + digits(14)
    res = [
        {"resourceType": "Organization", "id": f"co-{tag}", "meta": {"profile": [SD + "sas-cpts-organization-aggregator"]},
         "identifier": [ident("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "IDNST", IDNST, finess)], "name": "CPTS"},
        {"resourceType": "HealthcareService", "id": f"hs-{tag}", "meta": {"profile": [SD + "sas-cpts-healthcareservice-aggregator"]},
         "providedBy": {"reference": f"Organization/co-{tag}"}},
        {"resourceType": "Organization", "id": f"so-{tag}", "meta": {"profile": [SD + "sas-sos-organization-aggregator"]},
         "identifier": [ident("http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "IDNST", IDNST, siret)],
         "name": "SOS Médecins"},
        {"resourceType": "Location", "id": f"sl-{tag}", "meta": {"profile": [SD + "sas-sos-location-aggregator"]},
         "identifier": [ident("http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "INTRN", "https://editeur.example.fr", f"sl-{tag}")],
         "name": "Centre", "address": {"line": ["2 place du Parlement"], "city": "Rennes", "postalCode": "35000"},
         "managingOrganization": {"reference": f"Organization/so-{tag}"}},
        {"resourceType": "Schedule", "id": f"ss-{tag}", "meta": {"profile": [SD + "sas-sos-schedule-aggregator"]},
         "actor": [{"reference": f"Location/sl-{tag}"}]},
    ]
    for k in range(slots):
        res.append(slot(f"sos-{tag}-{k}", f"ss-{tag}", t0 + timedelta(hours=k + 1), SD + "sas-sos-slot-aggregator", specialty=False))
    for i, r in enumerate(rpps):
        p, role, sc = f"p-{tag}-{i}", f"r-{tag}-{i}", f"s-{tag}-{i}"
        res += [
            {"resourceType": "Practitioner", "id": p, "meta": {"profile": [LEGACY + "FrPractitionerAgregateur"]},
             "identifier": [ident("http://interopsante.org/fhir/CodeSystem/fr-v2-0203", "IDNPS", IDNPS, r)],
             "name": [{"family": "Martin", "given": ["Claire"]}]},
            {"resourceType": "PractitionerRole", "id": role, "meta": {"profile": [LEGACY + "FrPractitionerRoleExerciceAgregateur"]},
             "contained": [{"resourceType": "Location", "id": "place", "meta": {"profile": [LEGACY + "FrLocationAgregateur"]},
                            "identifier": [ident("http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "INTRN", "https://editeur.example.fr", role + "-place")],
                            "address": {"line": ["1 rue de la Paix"], "city": "Rennes", "postalCode": "35000"}}],
             "practitioner": {"reference": "Practitioner/" + p}, "location": [{"reference": "#place"}],
             "telecom": [{"system": "phone", "value": "+33299000000"}]},
            {"resourceType": "Schedule", "id": sc, "meta": {"profile": [LEGACY + "FrScheduleAgregateur"]},
             "actor": [{"reference": "Practitioner/" + p}, {"reference": "PractitionerRole/" + role}]},
        ]
        for k in range(slots):
            res.append(slot(f"sl-{tag}-{i}-{k}", sc, t0 + timedelta(hours=3 * k + 1)))
        cpts = {"coding": [{"system": R66, "code": "604"}], "extension": [
            {"url": "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType", "valueReference": {"reference": f"HealthcareService/hs-{tag}"}}]}
        res.append(slot(f"cp-{tag}-{i}", sc, t0 + timedelta(hours=5), SD + "sas-cpts-slot-aggregator", ("PUBLIC", "CPTS"), cpts))
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": x, "request": {"method": "PUT", "url": f"{x['resourceType']}/{x['id']}"}} for x in res]}
    return bundle, {"practitioners": rpps, "associations": [siret], "cpts": [finess], "useCases": ["individual", "cpts", "sos"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--practitioners", type=int, default=25)
    p.add_argument("--slots", type=int, default=8)
    p.add_argument("--series", type=int, default=20)
    p.add_argument("--jar", default="target/sas-fhir-server.jar")
    p.add_argument("--report", default=os.path.join(tempfile.gettempdir(), "acceptance-report"))
    p.add_argument("--regulator-accounts", action="store_true",
                   help="also the six accounts.* checks (INT_R02): they write marked test accounts into the server")
    a = p.parse_args()
    tag = digits(6)
    bundle, data = agendas(a.practitioners, a.slots, tag)
    req = urllib.request.Request(a.base, json.dumps(bundle).encode(), {"Content-Type": "application/fhir+json"}, method="POST")
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as r:
        assert r.status == 200, r.status
    print(f"loaded {len(bundle['entry'])} resources in {time.perf_counter() - t:.1f} s", flush=True)
    if a.regulator_accounts:
        data["regulatorAccounts"] = True
    data_file = os.path.join(tempfile.mkdtemp(), "test-data.json")
    with open(data_file, "w") as f:
        json.dump(data, f)
    t = time.perf_counter()
    done = subprocess.run(["java", "-jar", a.jar, "acceptance", "--endpoint", a.base, "--test-data", data_file,
                           "--report", a.report, f"--sas.acceptance.series={a.series}"])
    wall = time.perf_counter() - t
    with open(os.path.join(a.report, "acceptance.json")) as f:
        report = json.load(f)
    s = report["summary"]
    print(f"exit code {done.returncode}; command {wall:.1f} s (of which checks {report['durationMs'] / 1000:.1f} s, the rest the "
          f"validator's start-up); {report['requests']} requests; answer times {report['timingsMs']} ms; "
          f"{s['pass']} passed, {s['fail']} failed, {s['warning']} warnings, {s['skipped']} skipped", flush=True)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
