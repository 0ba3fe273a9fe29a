"""Independent check of liuyu's footprint overlay with shapely/GEOS.

Reads the footprints and liuyu's answers written by
`cargo run --example analyze_footprints -- DIR --random N`, recomputes every
unit's intersection area with GEOS (parts merged with shapely.union_all,
shapely.intersection / difference with the province) and measures the pieces
with the same area definition liuyu documents: straight lon/lat edges on the
authalic sphere (R = 6,371,007.2 m), by Green's theorem, written here from the
formula, not from liuyu's code. Differences are reported as the width of a
strip along the footprint's boundary (|difference| / perimeter), which must
stay under 1 mm; every unit with more than 2 m² on one side must be on the other.
"""
import json
import math
import sys
import time
from pathlib import Path

import shapely
from shapely.geometry import shape

R = 6_371_007.2
MIN_M2 = 1.0  # liuyu's sliver threshold (jurisdiction::MIN_AREA_M2)


def ring_integral(coords):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(coords[:-1], coords[1:]):
        l1, p1, l2, p2 = map(math.radians, (x1, y1, x2, y2))
        h = (p2 - p1) / 2.0
        sinc = 1.0 if abs(h) < 1e-12 else math.sin(h) / h
        s += (l2 - l1) * math.sin((p1 + p2) / 2.0) * sinc
    return abs(s) * R * R


def area(geom):
    total = 0.0
    for p in shapely.get_parts(geom):
        if p.geom_type != "Polygon" or p.is_empty:
            continue
        total += ring_integral(list(p.exterior.coords))
        total -= sum(ring_integral(list(r.coords)) for r in p.interiors)
    return total


def polygons_only(geom):
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return shapely.multipolygons(parts) if parts else shapely.Polygon()


def main(out_dir):
    root = Path(__file__).resolve().parents[2]
    manifest = json.loads((root / "data/manifest.json").read_text())
    units = []  # (layer, id, geometry, bbox)
    for layer in manifest["layers"]:
        # The neighbouring provinces are not units of the overlay (the
        # analysis names them in `other_provinces`, tested elsewhere).
        if layer["id"] == "neighbours":
            continue
        fc = json.loads((root / "data" / layer["file"]).read_text())
        for f in fc["features"]:
            g = shape(f["geometry"])
            units.append((layer["id"], str(f["id"]), g, g.bounds))
    province = shapely.union_all([u[2] for u in units if u[0] == "province"])
    shapely.prepare(province)
    t0 = time.time()
    checked, worst = 0, 0.0
    for line in (Path(out_dir) / "answers.ndjson").read_text().splitlines():
        ans = json.loads(line)
        fp = shape(json.loads((Path(out_dir) / f"{ans['name']}.geojson").read_text()))
        fp = shapely.union_all(shapely.get_parts(fp))
        fb = fp.bounds
        ours = {(u["layer"], u["id"]): u["m2"] for u in ans["units"]}
        theirs = {}
        for layer, uid, g, b in units:
            if b[0] > fb[2] or fb[0] > b[2] or b[1] > fb[3] or fb[1] > b[3]:
                continue
            a = area(polygons_only(shapely.intersection(g, fp)))
            if a >= MIN_M2:
                theirs[(layer, uid)] = a
        outside = area(polygons_only(shapely.difference(fp, province)))
        per = ans["perimeter_m"]
        diff = abs(area(fp) - ans["total_m2"])
        diff = max(diff, abs((outside if outside >= MIN_M2 else 0.0) - ans["outside_m2"]))
        for k in set(ours) | set(theirs):
            x, y = ours.get(k, 0.0), theirs.get(k, 0.0)
            if (k in ours) != (k in theirs) and max(x, y) > 2 * MIN_M2:
                sys.exit(f"{ans['name']}: unit {k} only on one side: liuyu {x}, GEOS {y}")
            diff = max(diff, abs(x - y))
        strip = diff / per
        worst = max(worst, strip)
        if strip > 1e-3:
            sys.exit(f"{ans['name']}: liuyu and GEOS differ by a {strip:.2e} m strip")
        checked += 1
    print(f"overlay vs shapely {shapely.__version__} (GEOS {shapely.geos_version_string}): "
          f"{checked} footprints, worst difference a {worst:.2e} m strip along the boundary, "
          f"{time.time() - t0:.1f} s")
    if checked < 100:
        sys.exit(f"only {checked} footprints checked")


if __name__ == "__main__":
    main(sys.argv[1])
