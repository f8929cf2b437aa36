#!/usr/bin/env python3
"""Appointments to the LRMs: the cost of the outbox on POST Appointment, and messages published per second.

Usage: start the server (any database), with or without the transmission, e.g. for a trial broker on this
machine (no Hub: messages go straight into the SAMU's queue, which the server declares):
    java -jar target/sas-fhir-server.jar --server.port=8085 --sas.data-dir=/tmp/bench-tx \\
      --management.endpoints.web.exposure.include=health,info,metrics \\
      --sas.transmission.enabled=true --sas.transmission.exchange= \\
      --sas.transmission.routing-key='{recipient}.message' --sas.transmission.declare-queues=true \\
      --sas.transmission.routes.35=fr.health.samu350.bench
then
    python3 bench/transmission_load.py --base http://localhost:8085/fhir --bookings 2000 --concurrency 4 [--expect-messages]
It writes a regulator account, one practitioner in Rennes (35) with --bookings free slots, then books every slot
(POST Appointment referencing it) from --concurrency clients and prints the booking latencies. With
--expect-messages it follows the server's counter sas.lrm.messages{state=sent} (actuator metrics) until every
booking's message is confirmed by the broker, and prints the messages published per second. Run it once with the
transmission off and once on to read the outbox's cost. With --cut-broker PORT (the server started with
--spring.rabbitmq.port=PORT) the script is the server's way to the broker and keeps it cut during the bookings:
the figure is then how fast the relay drains a burst recorded while the broker was away. With --cut-broker PORT
--cuts N the broker is there when the bookings start and is cut N times for --cut-seconds during them (open
connections dropped, new ones refused): the script prints, for each cut, the time from the broker's return to the
confirmation of every message recorded until then, and the booking-to-confirmation time of every booking (each
appointment's $lrm-messages: its message's sent time minus the booking's answer). Purge the queue afterwards
(rabbitmqctl purge_queue fr.health.samu350.bench). Only talks to the server given in --base.
"""
import argparse, json, socket, statistics, threading, time, urllib.request, uuid
from datetime import datetime, timedelta, timezone

SD = "http://sas.fr/fhir/StructureDefinition/"
SAS_SD = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/"
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"


def call(method, url, body=None, accept="application/fhir+json"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/fhir+json", "Accept": accept})
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.status, r.read()


def ident(code, system, value):
    return {"type": {"coding": [{"system": V2_0203, "code": code}]}, "system": system, "value": value}


def setup(base, run, count, start):
    account = {"resourceType": "Practitioner", "meta": {"source": "urn:oid:1.2.250.1.213.3.6", "profile": [SAS_SD + "FrPractitionerRegul"]},
               "identifier": [ident("IDNPS", IDNPS, "810000000001")], "active": True,
               "name": [{"family": "RICART", "given": ["Pauline"]}], "telecom": [{"system": "email", "value": "pauline.ricart@ghsas.example.fr"}]}
    call("PUT", f"{base}/Practitioner?identifier={IDNPS}|810000000001", account)
    rpps = "81" + str(int(time.time() * 1000))[-10:]
    pract = {"resourceType": "Practitioner", "id": f"tx-p-{run}", "meta": {"profile": [SD + "FrPractitionerAgregateur"]},
             "identifier": [ident("IDNPS", IDNPS, rpps)], "name": [{"family": "Bench", "given": ["Marc"]}]}
    role = {"resourceType": "PractitionerRole", "id": f"tx-r-{run}", "meta": {"profile": [SD + "FrPractitionerRoleExerciceAgregateur"]},
            "contained": [{"resourceType": "Location", "id": "place", "meta": {"profile": [SD + "FrLocationAgregateur"]},
                           "identifier": [{"type": {"coding": [{"system": "http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", "code": "INTRN"}]},
                                           "system": "https://editeur.example.fr", "value": f"place-{run}"}],
                           "address": {"line": ["1 rue de la Paix"], "city": "Rennes", "postalCode": "35000"}}],
            "practitioner": {"reference": f"Practitioner/tx-p-{run}"}, "location": [{"reference": "#place"}]}
    sched = {"resourceType": "Schedule", "id": f"tx-s-{run}", "meta": {"profile": [SD + "FrScheduleAgregateur"]},
             "actor": [{"reference": f"Practitioner/tx-p-{run}"}, {"reference": f"PractitionerRole/tx-r-{run}"}]}
    for r in (pract, role, sched):
        call("PUT", f"{base}/{r['resourceType']}/{r['id']}", r)
    for first in range(0, count, 500):
        entries = []
        for i in range(first, min(count, first + 500)):
            begin = start + timedelta(minutes=10 * i)
            slot = {"resourceType": "Slot", "id": f"tx-{run}-{i}",
                    "meta": {"profile": [SD + "FrSlotAgregateur"], "security": [{"system": TYPE_CRENEAU, "code": "SNP"}]},
                    "serviceType": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}]}],
                    "specialty": [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale", "code": "SM54"}]}],
                    "appointmentType": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "ROUTINE"}]},
                    "schedule": {"reference": f"Schedule/tx-s-{run}"}, "status": "free",
                    "start": begin.isoformat(), "end": (begin + timedelta(minutes=10)).isoformat(),
                    "comment": f"https://editeur.example.fr/rdv/{i}"}
            entries.append({"resource": slot, "request": {"method": "PUT", "url": f"Slot/{slot['id']}"}})
        call("POST", base, {"resourceType": "Bundle", "type": "transaction", "entry": entries})
    return rpps


def booking(run, i, rpps, start):
    begin = start + timedelta(minutes=10 * i)
    return {"resourceType": "Appointment", "meta": {"profile": [SD + "FrAppointmentSAS"]},
            "extension": [{"url": "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator",
                           "valueReference": {"identifier": ident("IDNPS", IDNPS, "810000000001")}}],
            "identifier": [{"system": "urn:oid:1.2.250.1.999.1", "value": str(uuid.uuid4())}], "status": "booked",
            "start": begin.isoformat(), "end": (begin + timedelta(minutes=10)).isoformat(),
            "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "slot": [{"reference": f"Slot/tx-{run}-{i}"}],
            "participant": [{"actor": {"identifier": ident("IDNPS", IDNPS, rpps)}, "status": "accepted"}]}


def count(actuator, state="sent"):
    try:
        _, body = call("GET", f"{actuator}/metrics/sas.lrm.messages?tag=state:{state}", accept="application/json")
        return json.loads(body)["measurements"][0]["value"]
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return 0.0  # no message confirmed yet: the counter does not exist
        raise


class BrokerProxy:
    """A TCP relay to the broker that refuses connections while cut: the burst is recorded with the broker away."""

    def __init__(self, port, target=5672, cut=True):
        self.target, self.cut, self.open = target, cut, []
        self.listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            if self.cut:
                client.close()
                continue
            broker = socket.create_connection(("127.0.0.1", self.target))
            self.open += [client, broker]
            for a, b in ((client, broker), (broker, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    def drop(self):
        """Cuts: the open connections are closed and new ones refused until cut is False again."""
        self.cut = True
        for s in self.open:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.open = []

    @staticmethod
    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            a.close()
            b.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://localhost:8085/fhir")
    p.add_argument("--bookings", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--expect-messages", action="store_true")
    p.add_argument("--cut-broker", type=int, metavar="PORT",
                   help="listen on PORT as the server's broker (spring.rabbitmq.port=PORT), relaying to 5672 only once "
                        "every booking is made: measures the drain of a burst recorded while the broker was away")
    p.add_argument("--cuts", type=int, default=0,
                   help="with --cut-broker: the broker is there at first and cut this many times during the bookings")
    p.add_argument("--cut-seconds", type=float, default=4.0, help="how long each of --cuts lasts")
    a = p.parse_args()
    actuator = a.base.rsplit("/fhir", 1)[0] + "/actuator"
    run = uuid.uuid4().hex[:8]
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(hours=2)
    proxy = BrokerProxy(a.cut_broker, cut=a.cuts == 0) if a.cut_broker else None
    rpps = setup(a.base, run, a.bookings, start)
    sent_before = count(actuator) if a.expect_messages or proxy else 0
    latencies, lock, nxt = [], threading.Lock(), [0]
    booked_at = {}  # booking index -> (appointment id, epoch seconds of the 201)

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= a.bookings:
                return
            t = time.perf_counter()
            status, body = call("POST", f"{a.base}/Appointment", booking(run, i, rpps, start))
            elapsed = (time.perf_counter() - t) * 1000
            if status != 201:
                raise SystemExit(f"booking {i}: HTTP {status}")
            with lock:
                latencies.append(elapsed)
                booked_at[i] = (json.loads(body)["id"], time.time())

    returns = []  # per cut: seconds from the broker's return to the confirmation of all recorded until then

    def cutter():
        for _ in range(a.cuts):
            while len(booked_at) < a.bookings * (len(returns) + 1) / (a.cuts + 1):
                time.sleep(0.01)
            proxy.drop()
            time.sleep(a.cut_seconds)
            target = count(actuator, "pending")
            waiting = target - count(actuator)
            proxy.cut = False
            back = time.perf_counter()
            while count(actuator) < target:
                time.sleep(0.02)
            returns.append((time.perf_counter() - back, waiting))

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    if proxy and a.cuts:
        threads.append(threading.Thread(target=cutter))
    [t.start() for t in threads]
    [t.join() for t in threads]
    booked = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100)
    print(f"bookings: {len(latencies)} at concurrency {a.concurrency} in {booked:.1f} s ({len(latencies) / booked:.0f}/s); "
          f"POST Appointment p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms")
    if proxy and a.cuts:
        target = count(actuator, "pending")
        while count(actuator) < target:
            time.sleep(0.05)
        delays = []
        for i, (appointment, at) in sorted(booked_at.items()):
            _, body = call("GET", f"{a.base}/Appointment/{appointment}/$lrm-messages")
            sent = [e["resource"]["sent"] for e in json.loads(body).get("entry", []) if "sent" in e["resource"]]
            delays.append((datetime.fromisoformat(min(sent)).timestamp() - at) * 1000)
        q = statistics.quantiles(delays, n=100)
        print(f"broker cut {a.cuts} times for {a.cut_seconds:.0f} s: every message recorded before a return confirmed "
              + ", ".join(f"{r:.2f} s ({w:.0f} waiting)" for r, w in returns) + " after it")
        print(f"booking to broker confirmation: p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, max {max(delays):.0f} ms")
    elif proxy:
        # every message recorded so far (these bookings' and any left from before) must be confirmed
        target = count(actuator, "pending")
        proxy.cut = False
        back = time.perf_counter()
        first = None
        while (sent := count(actuator)) < target:
            if first is None and sent > sent_before:
                first = (time.perf_counter(), sent)
            time.sleep(0.02)
        end = time.perf_counter()
        first = first or (end, sent_before)
        rate = (target - first[1]) / max(end - first[0], 1e-3)
        print(f"messages: {target - sent_before:.0f} recorded while the broker was away; the relay resumed "
              f"{first[0] - back:.1f} s after it came back (its back-off), then drained them at {rate:.0f} messages/s")
    elif a.expect_messages:
        while count(actuator) - sent_before < a.bookings:
            time.sleep(0.2)
        total = time.perf_counter() - began
        print(f"messages: {a.bookings} confirmed by the broker {total:.1f} s after the first booking "
              f"({a.bookings / total:.0f} messages/s end to end; the last {total - booked:.1f} s after the last booking)")


if __name__ == "__main__":
    main()
