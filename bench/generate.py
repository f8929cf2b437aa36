#!/usr/bin/env python3
"""National-scale SAS data in the guide's shapes, and a query mix with the expected answers.

Usage:
    python3 bench/generate.py --out /tmp/sas-data [--practitioners 30000] [--seed 7] [--queries 600] [--first 0]

Deterministic for a given seed and anchor (by default the next full hour, UTC). Writes:
  - tx-00000.json ... : FHIR transaction Bundles (reference data first, then slots by 500), to be posted in
    file order by bench/load.py;
  - queries.json: the query mix (individual practitioners, CPTS, SOS Médecins) with, for each query, the
    expected Bundle.total and the expected entries (type/id and search mode).

The data (per --practitioners N; the figures below are for N = 30,000):
  - N practitioners (RPPS 8 + 11 digits), one or two roles each (contained Location), one Schedule per role;
  - 7 days of 15, 20 or 30 min slots in a 2-3 h block of working hours, 5-6 days a week, all free (the
    profiles fix Slot.status to free) (about 1.8 M slots);
  - 20 % of the practitioners visible to CPTS: N/200 CPTS (Organization with FINESS + HealthcareService);
    their slots in the first 40 h are tagged CPTS with one or two TRE_R66 604 service references;
  - N/100 SOS Médecins associations (SIRET) with 2-4 fixed places (Location) each, one Schedule per place,
    30 min slots from 8:00 to 20:00 every day;
  - every place (a role's contained Location, an SOS place, a CPTS's address) in a commune drawn by population
    from the server's reference table (src/main/resources/reference/communes.tsv), half of the roles with a
    Location.position near the commune's, roles coded with a general-practice or another specialty, so that the
    contextual search (bench/contextual_load.py) meets the country's geography.
Every slot starts at least 4 hours after the anchor, so the expected answers hold for 4 hours after it
(a search never returns a slot already ended, nor a CPTS slot more than 48 h ahead).
"""
import argparse, bisect, glob, json, os, random
from datetime import datetime, timedelta, timezone

COMMUNES = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "reference", "communes.tsv")
SPECIALTIES = ["SM54"] * 8 + ["SM53", "SM26", "SM41", "SM05"]


def read_communes():
    """Current communes with a population, and the cumulative weights to draw one by population."""
    rows = []
    with open(COMMUNES, encoding="utf-8") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            if c[0] == c[8] and int(c[7]) > 0 and c[2]:
                rows.append({"insee": c[0], "name": c[1], "postal": c[2].split(",")[0], "lat": float(c[4]),
                             "lon": float(c[5]), "population": int(c[7])})
    cumulative, total = [], 0
    for r in rows:
        total += r["population"]
        cumulative.append(total)
    return rows, cumulative

SD = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/"
LEGACY_SD = "http://sas.fr/fhir/StructureDefinition/"
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
IDNST = "urn:oid:1.2.250.1.71.4.2.2"
FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
FR_CORE_V2_0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
LOC_ID_TYPE = "http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type"
TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V2_0276 = "http://terminology.hl7.org/CodeSystem/v2-0276"
R38 = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
SLOT_SERVICE_TYPE_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"
CPTS_HORIZON = timedelta(hours=40)
FIRST_SLOT = timedelta(hours=4)
WINDOW = timedelta(hours=48)


def ident(type_system, code, system, value):
    return {"type": {"coding": [{"system": type_system, "code": code}]}, "system": system, "value": value}


def concept(system, code):
    return {"coding": [{"system": system, "code": code}]}


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Generator:
    def __init__(self, practitioners, seed, anchor, first=0):
        self.n = practitioners
        self.first = first           # index of the first practitioner: data sets that do not overlap
        self.rng = random.Random(seed)
        self.anchor = anchor
        self.reference = []          # practitioners, roles, schedules, CPTS and SOS structures
        self.slots = []
        self.free = {}               # schedule id -> [(start, end, slot id, cpts)] of free slots
        self.schedules_of = {}       # rpps -> [(schedule id, [actor refs])]
        self.sos_places = {}         # siret -> [(schedule id, location id, organization id)]
        self.cpts_rpps = []
        self.service_org = {}        # HealthcareService id -> Organization id
        self.communes, self.weights = read_communes()

    def commune(self):
        """A commune drawn by population (Paris, Lyon and Marseille by arrondissement)."""
        return self.communes[bisect.bisect_right(self.weights, self.rng.random() * self.weights[-1])]

    def address(self, line, commune):
        return {"line": [line], "city": commune["name"], "postalCode": commune["postal"]}

    def rpps(self, i):
        return "8" + str(10_000_000_000 + i)

    def build(self):
        cpts_count = max(1, self.n // 200)
        cpts_first = self.first // 200
        for c in range(cpts_first, cpts_first + cpts_count):
            finess = "1" + str(350_000_000 + c)
            self.reference.append({"resourceType": "Organization", "id": f"cpts-org-{c}",
                                   "meta": {"profile": [SD + "sas-cpts-organization-aggregator"]},
                                   "identifier": [ident(FR_CORE_V2_0203, "IDNST", IDNST, finess)],
                                   "name": f"CPTS {c}", "address": [self.address("1 place de la Mairie", self.commune())]})
            self.reference.append({"resourceType": "HealthcareService", "id": f"cpts-hs-{c}",
                                   "meta": {"profile": [SD + "sas-cpts-healthcareservice-aggregator"]},
                                   "providedBy": {"reference": f"Organization/cpts-org-{c}"}})
            self.service_org[f"cpts-hs-{c}"] = f"cpts-org-{c}"
        for i in range(self.first, self.first + self.n):
            self.practitioner(i, cpts_first, cpts_count)
        sos_first = self.first // 100
        for a in range(sos_first, sos_first + max(2, self.n // 100)):
            self.sos_association(a)

    def practitioner(self, i, cpts_first, cpts_count):
        rng, rpps = self.rng, self.rpps(i)
        pid = f"p-{i}"
        self.reference.append({"resourceType": "Practitioner", "id": pid,
                               "meta": {"profile": [LEGACY_SD + "FrPractitionerAgregateur"]},
                               "identifier": [ident(FR_V2_0203, "IDNPS", IDNPS, rpps)],
                               "name": [{"family": f"Nom{i}", "given": ["Prenom"]}]})
        cpts = rng.random() < 0.2
        services = []
        if cpts:
            self.cpts_rpps.append(rpps)
            services = [f"cpts-hs-{cpts_first + rng.randrange(cpts_count)}"]
            if rng.random() < 0.1:
                other = f"cpts-hs-{cpts_first + rng.randrange(cpts_count)}"
                if other not in services:
                    services.append(other)
        self.schedules_of[rpps] = []
        for r in range(1 if rng.random() < 0.5 else 2):
            role_id, sched_id = f"r-{i}-{r}", f"s-{i}-{r}"
            commune = self.commune()
            place = {"resourceType": "Location", "id": "place",
                     "meta": {"profile": [LEGACY_SD + "FrLocationAgregateur"]},
                     "identifier": [ident(LOC_ID_TYPE, "INTRN", "https://editeur.example.fr", f"place-{i}-{r}")],
                     "address": self.address(f"{1 + i % 200} rue de la Paix", commune)}
            if rng.random() < 0.5:  # half of the publishers give the position
                place["position"] = {"latitude": round(commune["lat"] + rng.uniform(-0.015, 0.015), 5),
                                     "longitude": round(commune["lon"] + rng.uniform(-0.02, 0.02), 5)}
            self.reference.append({"resourceType": "PractitionerRole", "id": role_id,
                                   "meta": {"profile": [LEGACY_SD + "FrPractitionerRoleExerciceAgregateur"]},
                                   "contained": [place],
                                   "practitioner": {"reference": f"Practitioner/{pid}"},
                                   "location": [{"reference": "#place"}],
                                   "specialty": [concept(R38, rng.choice(SPECIALTIES))],
                                   "telecom": [{"system": "phone", "value": "+33299" + str(100000 + i % 900000)}]})
            self.reference.append({"resourceType": "Schedule", "id": sched_id,
                                   "meta": {"profile": [LEGACY_SD + "FrScheduleAgregateur"]},
                                   "actor": [{"reference": f"Practitioner/{pid}"}, {"reference": f"PractitionerRole/{role_id}"}]})
            self.schedules_of[rpps].append((sched_id, [f"Practitioner/{pid}", f"PractitionerRole/{role_id}"]))
            self.practitioner_slots(sched_id, services)

    def practitioner_slots(self, sched_id, services):
        rng = self.rng
        minutes = rng.choice([15, 20, 30])
        days_off = set(rng.sample(range(7), rng.choice([1, 2])))
        free = self.free.setdefault(sched_id, [])
        day0 = self.anchor.replace(hour=0)
        for d in range(8):
            if d % 7 in days_off:
                continue
            begin = day0 + timedelta(days=d, hours=rng.choice([8, 9, 10, 14, 15, 16]))
            for k in range(rng.choice([120, 150, 180]) // minutes):
                start = begin + timedelta(minutes=k * minutes)
                if start < self.anchor + FIRST_SLOT or start >= self.anchor + timedelta(days=7):
                    continue
                end = start + timedelta(minutes=minutes)
                slot_id = f"{sched_id}-{len(self.slots)}"
                status = "free"  # the profiles fix Slot.status to free: busy slots are deleted or booked here
                cpts = bool(services) and start < self.anchor + CPTS_HORIZON
                slot = {"resourceType": "Slot", "id": slot_id,
                        "meta": {"profile": [(SD + "sas-cpts-slot-aggregator") if cpts else (LEGACY_SD + "FrSlotAgregateur")],
                                 "security": [{"system": TYPE_CRENEAU, "code": rng.choice(["PUBLIC", "PRO", "SNP"])}]},
                        "serviceType": [concept(ACT_CODE, rng.choice(["AMB", "HH", "VR"]))],
                        "specialty": [concept(R38, "SM54")],
                        "appointmentType": concept(V2_0276, "ROUTINE"),
                        "schedule": {"reference": f"Schedule/{sched_id}"}, "status": status,
                        "start": iso(start), "end": iso(end),
                        "comment": f"https://editeur.example.fr/rdv/{slot_id}"}
                if cpts:
                    slot["meta"]["security"].append({"system": TYPE_CRENEAU, "code": "CPTS"})
                    for hs in services:
                        st = concept(R66, "604")
                        st["extension"] = [{"url": SLOT_SERVICE_TYPE_EXT, "valueReference": {"reference": f"HealthcareService/{hs}"}}]
                        slot["serviceType"].append(st)
                self.slots.append(slot)
                if status == "free":
                    free.append((start, end, slot_id, services if cpts else []))

    def sos_association(self, a):
        siret = "3" + str(34_173_748_400_000 + a)
        org = f"sos-org-{a}"
        self.reference.append({"resourceType": "Organization", "id": org,
                               "meta": {"profile": [SD + "sas-sos-organization-aggregator"]},
                               "identifier": [ident(LOC_ID_TYPE, "IDNST", IDNST, siret)],
                               "name": f"SOS Médecins {a}"})
        self.sos_places[siret] = []
        for p in range(self.rng.choice([2, 3, 4])):
            loc, sched = f"sos-loc-{a}-{p}", f"sos-s-{a}-{p}"
            self.reference.append({"resourceType": "Location", "id": loc,
                                   "meta": {"profile": [SD + "sas-sos-location-aggregator"]},
                                   "identifier": [ident(LOC_ID_TYPE, "INTRN", "https://editeur.example.fr", loc)],
                                   "name": f"Centre de consultation {a}-{p}",
                                   "address": self.address("2 place du Parlement", self.commune()),
                                   "managingOrganization": {"reference": f"Organization/{org}"}})
            self.reference.append({"resourceType": "Schedule", "id": sched,
                                   "meta": {"profile": [SD + "sas-sos-schedule-aggregator"]},
                                   "actor": [{"reference": f"Location/{loc}"}]})
            self.sos_places[siret].append((sched, loc, org))
            free = self.free.setdefault(sched, [])
            day0 = self.anchor.replace(hour=0)
            for d in range(8):
                for k in range(24):
                    start = day0 + timedelta(days=d, hours=8, minutes=30 * k)
                    if start < self.anchor + FIRST_SLOT or start >= self.anchor + timedelta(days=7):
                        continue
                    slot_id = f"{sched}-{len(self.slots)}"
                    status = "free"
                    self.slots.append({"resourceType": "Slot", "id": slot_id,
                                       "meta": {"profile": [SD + "sas-sos-slot-aggregator"],
                                                "security": [{"system": TYPE_CRENEAU, "code": "PUBLIC"}]},
                                       "serviceType": [concept(ACT_CODE, "AMB")],
                                       "appointmentType": concept(V2_0276, "WALKIN"),
                                       "schedule": {"reference": f"Schedule/{sched}"}, "status": status,
                                       "start": iso(start), "end": iso(start + timedelta(minutes=30)),
                                       "comment": f"https://editeur.example.fr/pfg/{slot_id}"})
                    if status == "free":
                        free.append((start, start + timedelta(minutes=30), slot_id, []))

    # --- the query mix -------------------------------------------------------------------------------------

    def window(self):
        lo = self.anchor + FIRST_SLOT + timedelta(minutes=self.rng.randrange(0, 5 * 24 * 60, 5))
        return lo, lo + WINDOW

    def practitioner_query(self, cpts):
        rng = self.rng
        k = rng.randint(1, 25)
        pool = self.cpts_rpps if cpts else list(self.schedules_of)
        chosen = rng.sample(pool, min(k, len(pool)))
        lo, hi = self.window() if not cpts else (self.anchor + FIRST_SLOT, self.anchor + FIRST_SLOT + WINDOW)
        match, include = [], {}
        for rpps in chosen:
            for sched, actors in self.schedules_of[rpps]:
                hits = [s for s in self.free[sched] if lo <= s[0] <= hi]
                for start, end, slot_id, services in hits:
                    match.append("Slot/" + slot_id)
                    include["Schedule/" + sched] = 1
                    for a in actors:
                        include[a] = 1
                    if cpts:
                        for hs in services:
                            include["HealthcareService/" + hs] = 1
                            include["Organization/" + self.service_org[hs]] = 1
        params = ["_include=Slot:schedule", "_include:iterate=Schedule:actor"]
        if cpts:
            params += ["_include=Slot:service-type-reference", "_include:iterate=HealthcareService:organization"]
        sep = rng.choice([",", ", "])
        bar = rng.choice(["|", "%7C"])
        ids = sep.join(f"{IDNPS}{bar}{r}" for r in chosen)
        params += [f"start=ge{iso(lo)}", f"start=le{iso(hi)}", f"schedule.actor:Practitioner.identifier={ids}",
                   "status=free", "_count=1000"]
        rng.shuffle(params)
        return {"shape": "cpts" if cpts else "practitioner", "url": "Slot?" + "&".join(params),
                "total": len(match), "match": sorted(match), "include": sorted(include)}

    def sos_query(self):
        rng = self.rng
        chosen = rng.sample(list(self.sos_places), min(rng.randint(1, 10), len(self.sos_places)))
        lo, hi = self.window()
        slots, schedules, include = [], [], {}
        for siret in chosen:
            for sched, loc, org in self.sos_places[siret]:
                hits = [s for s in self.free[sched] if lo <= s[0] <= hi]
                if hits:
                    schedules.append("Schedule/" + sched)
                    include["Location/" + loc] = 1
                    include["Organization/" + org] = 1
                    for h in hits:
                        include["Slot/" + h[2]] = 1
                        slots.append(h[2])
        ids = ",".join(f"{IDNST}%7C{s}" for s in chosen)
        params = ["_revinclude=Slot:schedule", "_include=Schedule:actor:Location", "_include:iterate=Location:organization",
                  f"_has:Slot:schedule:start=ge{iso(lo)}", f"_has:Slot:schedule:start=le{iso(hi)}",
                  "_has:Slot:schedule:status=free", f"actor:Location.organization.identifier={ids}", "_count=1000"]
        return {"shape": "sos", "url": "Schedule?" + "&".join(params),
                "total": len(slots), "match": sorted(schedules), "include": sorted(include)}

    def queries(self, count):
        out = []
        for q in range(count):
            r = q % 10
            out.append(self.practitioner_query(False) if r < 6 else self.practitioner_query(True) if r < 8 else self.sos_query())
        return out


def write_transactions(out, resources, size, start_index):
    n = start_index
    for i in range(0, len(resources), size):
        entries = [{"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
                   for r in resources[i:i + size]]
        with open(os.path.join(out, f"tx-{n:05d}.json"), "w") as f:
            json.dump({"resourceType": "Bundle", "type": "transaction", "entry": entries}, f, separators=(",", ":"))
        n += 1
    return n


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--practitioners", type=int, default=30000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--queries", type=int, default=600)
    p.add_argument("--anchor", help="ISO instant (UTC); default: the next full hour")
    p.add_argument("--first", type=int, default=0,
                   help="index of the first practitioner (CPTS and SOS associations follow): a second data set "
                        "whose ids and identifiers do not meet the first's, loaded after it into the same server")
    a = p.parse_args()
    anchor = (datetime.fromisoformat(a.anchor.replace("Z", "+00:00")) if a.anchor else
              (datetime.now(timezone.utc) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0))
    g = Generator(a.practitioners, a.seed, anchor, a.first)
    g.build()
    os.makedirs(a.out, exist_ok=True)
    for old in glob.glob(os.path.join(a.out, "tx-*.json")):
        os.remove(old)
    # reference data in dependency order: organizations and services, then practitioners' graphs, then SOS places
    order = {"Organization": 0, "HealthcareService": 1, "Practitioner": 2, "PractitionerRole": 3, "Location": 3, "Schedule": 4}
    reference = sorted(g.reference, key=lambda r: order[r["resourceType"]])
    n = write_transactions(a.out, reference, 500, 0)
    write_transactions(a.out, g.slots, 500, n)
    with open(os.path.join(a.out, "queries.json"), "w") as f:
        json.dump({"anchor": iso(anchor), "validUntil": iso(anchor + FIRST_SLOT), "queries": g.queries(a.queries)}, f)
    print(f"anchor {iso(anchor)}: {len(reference)} reference resources, {len(g.slots)} slots, "
          f"{sum(len(v) for v in g.free.values())} free; {a.queries} queries -> {a.out}")


if __name__ == "__main__":
    main()
