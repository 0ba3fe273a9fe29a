"""Independent check of `liuyu downwind` (run by 80-air.sh).

Everything here is computed without liuyu's geometry: PROJ's geodesics and
azimuthal-equidistant projection (pyproj) and GEOS (shapely).

A. A steady wind from 襄阳: the plume against a geodesic sector built with
   pyproj's Geod.fwd (arc every 0.01°), compared in PROJ's aeqd about the
   source (Hausdorff distance in metres, symmetric difference by area); every
   county's share against a GEOS intersection measured with Geod's polygon
   area; every arrival against the geodesic distance from the source to the
   county's part inside the sector (in PROJ's aeqd, distance from the centre
   is the geodesic distance) divided by the speed.
B. A veering 12-hour series: the plume against a brute-force step-by-step
   advection — at every hour, the sector swept from every boundary vertex of
   the current plume (densified to 1 km), all unioned by GEOS, in PROJ's aeqd
   about the source (the wind taken as uniform in that frame, as the
   service's model says); and every county's first arrival against the hour
   at which the brute-force plume first touches it.
"""
import json
import math
import subprocess
import sys
import tempfile
import time

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, shape
from shapely.ops import unary_union

LIUYU = sys.argv[1]
GEOD = Geod(ellps="WGS84")
SOURCE = (112.122, 32.009)
COUNTIES = json.load(open("data/layers/counties.geojson"))["features"]


def run(*args):
    out = subprocess.run([LIUYU, "downwind", f"{SOURCE[0]}", f"{SOURCE[1]}", *args],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def aeqd():
    t = Transformer.from_crs("EPSG:4326",
                             f"+proj=aeqd +lat_0={SOURCE[1]} +lon_0={SOURCE[0]} +ellps=WGS84 +units=m",
                             always_xy=True)

    def fwd(c):
        x, y = t.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    def inv(c):
        x, y = t.transform(c[:, 0], c[:, 1], direction="INVERSE")
        return np.column_stack([x, y])

    return (lambda g: shapely.transform(g, fwd)), (lambda g: shapely.transform(g, inv))


FWD, INV = aeqd()


def geod_area(g):
    return abs(GEOD.geometry_area_perimeter(g)[0])


def plume_of(answer):
    return shape(answer["plume"])


def compare_plumes(ours, truth, what, max_hausdorff, max_symdiff):
    a, b = FWD(ours), FWD(truth)
    h = a.exterior.hausdorff_distance(b.exterior) if a.geom_type == "Polygon" else a.hausdorff_distance(b)
    sd = a.symmetric_difference(b).area / b.area
    print(f"{what}: Hausdorff {h:.1f} m, symmetric difference {sd:.2e} of the area")
    assert h <= max_hausdorff, (what, h)
    assert sd <= max_symdiff, (what, sd)


def sector_lonlat(lon, lat, toward, spread, r):
    ring = [(lon, lat)]
    n = int(2 * spread / 0.01)
    for i in range(n + 1):
        x, y, _ = GEOD.fwd(lon, lat, toward - spread + 2 * spread * i / n, r)
        ring.append((x, y))
    # The straight sides are geodesics: densify them every 500 m.
    for side in (toward + spread, toward - spread):
        x, y, _ = GEOD.fwd(lon, lat, side, r)
        pts = GEOD.npts(lon, lat, x, y, int(r / 500))
        if side == toward + spread:
            ring.extend(reversed(pts))
        else:
            ring[1:1] = pts
    return Polygon(ring)


def check_units(answer, truth_lonlat, truth_aeqd, speed=None, arrival_of=None):
    ours = {c["adcode"]: c for c in answer["downwind"]["counties"]}
    checked = 0
    for f in COUNTIES:
        code = f["properties"]["adcode"]
        g = shape(f["geometry"])
        cut = g.intersection(truth_lonlat)
        area = geod_area(cut) if not cut.is_empty else 0.0
        if area < 1e5:  # below 0.1 km²: a sliver either way
            continue
        assert code in ours, (code, f["properties"]["name"], area)
        share = area / geod_area(g)
        assert abs(ours[code]["share"] - share) <= 0.002, (code, ours[code]["share"], share)
        if ours[code]["source"]:
            continue
        if speed is not None:
            d = shapely.distance(Point(0, 0), FWD(g).intersection(truth_aeqd))
            expected = d / speed / 3600
            got = ours[code]["arrival_hours"]
            assert abs(got - expected) <= 0.01 * expected, (code, got, expected)
            assert abs(ours[code]["distance_km"] - d / 1000) <= 0.1 + 0.002 * d / 1000, (code, ours[code]["distance_km"], d)
        if arrival_of is not None:
            lo, hi = arrival_of(code)
            got = ours[code]["arrival_hours"]
            assert lo - 0.05 <= got <= hi + 0.05, (code, f["properties"]["name"], got, lo, hi)
        checked += 1
    extra = [c for c in ours.values() if c["area_km2"] > 1.0 and
             geod_area(shape(next(f for f in COUNTIES if f["properties"]["adcode"] == c["adcode"])["geometry"]).intersection(truth_lonlat)) < 1e5]
    assert not extra, ("reached by liuyu only", [c["name"] for c in extra])
    return checked


def case_a():
    speed, hours, wind_from, spread = 5.0, 12.0, 0.0, 20.0
    t = time.time()
    ans = run("--wind-from", str(wind_from), "--speed", str(speed), "--hours", str(hours))
    t_liuyu = time.time() - t
    truth = sector_lonlat(*SOURCE, (wind_from + 180) % 360, spread, speed * hours * 3600)
    compare_plumes(plume_of(ans), truth, "A steady sector", 15.0, 5e-4)
    n = check_units(ans, truth, FWD(truth), speed=speed)
    print(f"A: {n} counties: shares within 0.002, arrival hours within 1% of distance/speed, "
          f"distances within 0.2% (liuyu {t_liuyu:.2f} s, check {time.time() - t:.2f} s)")


def advect(series, hours_end, spread):
    """Brute force in PROJ's aeqd: P_{k+1} = P_k ∪ sectors swept from every boundary vertex."""
    plume = Point(0, 0).buffer(0.01)
    frames = [(0.0, plume)]
    for i, (h, wind_from, speed) in enumerate(series):
        end = series[i + 1][0] if i + 1 < len(series) else hours_end
        r = speed * (end - h) * 3600
        toward = math.radians((wind_from + 180) % 360)
        arc = [(r * math.sin(toward + math.radians(a)), r * math.cos(toward + math.radians(a)))
               for a in [-spread + 2 * spread * j / 200 for j in range(201)]]
        boundary = shapely.segmentize(plume.exterior, 1000.0)
        swept = [Polygon([(x, y)] + [(x + dx, y + dy) for dx, dy in arc]) for x, y in boundary.coords[:-1]]
        # A convex hull per consecutive pair covers the sweep between the two vertices.
        pieces = [shapely.convex_hull(shapely.union(a, b)) for a, b in zip(swept, swept[1:] + swept[:1])]
        plume = unary_union([plume] + pieces)
        frames.append((end, plume))
    return frames


def case_b():
    series = [(float(h), 7.5 * h, 5.0) for h in range(12)]
    spread = 20.0
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"hour": h, "wind_from": w, "speed": s} for h, w, s in series], f)
    t = time.time()
    ans = run("--series", f.name, "--hours", "12")
    t_liuyu = time.time() - t
    frames = advect(series, 12.0, spread)
    truth_aeqd = frames[-1][1]
    truth = INV(truth_aeqd)
    compare_plumes(plume_of(ans), truth, "B veering series", 30.0, 1e-3)

    def arrival_of(code):
        g = FWD(shape(next(f for f in COUNTIES if f["properties"]["adcode"] == code)["geometry"]))
        for (h0, p0), (h1, p1) in zip(frames, frames[1:]):
            if p1.intersects(g):
                return h0, h1
        return math.inf, math.inf

    n = check_units(ans, truth, truth_aeqd, arrival_of=arrival_of)
    print(f"B: {n} counties: shares within 0.002, first arrival within the brute force's hour "
          f"(liuyu {t_liuyu:.2f} s, check {time.time() - t:.2f} s)")


t0 = time.time()
case_a()
print(f"step A: {time.time() - t0:.1f} s")
t1 = time.time()
case_b()
print(f"step B: {time.time() - t1:.1f} s")
print(f"air check: all passed in {time.time() - t0:.1f} s")
