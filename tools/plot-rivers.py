#!/usr/bin/env python3
"""Draws the directed river network (data/rivers/) with arrows, for review by eye.

Usage: plot-rivers.py RIVERS_DIR PROVINCE_GEOJSON OUT_PNG [--labels] [--bbox x0 y0 x1 y1]
Needs matplotlib (pinned in tools/build-rivers.sh). Deterministic output (Agg backend,
fixed size, no timestamps in metadata).
"""
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.rcParams["font.family"] = ["Noto Sans CJK JP", "DejaVu Sans"]

args = sys.argv[1:]
rdir, prov, out = args[0], args[1], args[2]
labels = "--labels" in args
bbox = None
if "--bbox" in args:
    i = args.index("--bbox")
    bbox = [float(v) for v in args[i + 1:i + 5]]
edges = json.load(open(f"{rdir}/rivers.geojson"))["features"]
net = json.load(open(f"{rdir}/network.json"))
lakes = json.load(open(f"{rdir}/lakes.geojson"))["features"]
fig, ax = plt.subplots(figsize=(16, 10), dpi=100)
for f in json.load(open(prov))["features"]:
    g = f["geometry"]
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    for p in polys:
        xs, ys = zip(*p[0])
        ax.plot(xs, ys, color="0.3", lw=0.6)
for f in lakes:
    xs, ys = zip(*f["geometry"]["coordinates"][0])
    ax.fill(xs, ys, color="#bfe3f2", lw=0)
    if f["properties"].get("name"):
        ax.text(sum(xs) / len(xs), sum(ys) / len(ys), f["properties"]["name"], fontsize=7, color="#2a6f97", ha="center").set_clip_on(True)
palette = {"main": "#08519c", "distributary": "#d94801", "tributary": "#238b45"}
kinds = {r["id"]: r["kind"] for r in net["rivers"]}
names = {}
for f in edges:
    p = f["properties"]
    c = f["geometry"]["coordinates"]
    xs, ys = zip(*c)
    col = palette.get(kinds.get(p["river"]), "#969696")
    lw = 2.2 if kinds.get(p["river"]) == "main" else 1.3
    ls = "--" if p["source"] != "WDBII" else "-"
    ax.plot(xs, ys, color=col, lw=lw, ls=ls)
    # arrows every ~30 km along the edge, and at its middle
    n = len(c)
    step = max(1, n // max(1, int(p["length_km"] // 30) + 1))
    for i in list(range(step // 2, n - 1, step)) or [n // 2 - 1]:
        a, b = c[max(i, 0)], c[min(i + 1, n - 1)]
        ax.annotate("", xy=b, xytext=a, arrowprops=dict(arrowstyle="-|>", color=col, lw=0.8, mutation_scale=20))
    if labels:
        m = c[n // 2]
        ax.text(m[0], m[1], p["id"], fontsize=6, color="k").set_clip_on(True)
    if p["river_name"] and p["river"] not in names:
        names[p["river"]] = c[n // 2]
for rid, m in sorted(names.items()):
    ax.text(m[0], m[1] + 0.03, next(r["name"] for r in net["rivers"] if r["id"] == rid), fontsize=9, weight="bold").set_clip_on(True)
for nd in net["nodes"]:
    if nd["role"] in ("outlet", "outflow", "inflow", "distributary_head") or labels:
        ax.plot(nd["lon"], nd["lat"], "o", ms=3 if labels else 5, color="k" if nd["role"] not in ("outlet", "outflow") else "red")
        if labels:
            ax.text(nd["lon"], nd["lat"], nd["id"] + " " + nd["role"][:4], fontsize=6, color="purple").set_clip_on(True)
for z in net.get("zone_links", []):
    ax.plot(z["mouth"][0], z["mouth"][1], "s", ms=4, color="#6a51a3" if not z["in_wdbii"] else "#9e9ac8")
    ax.text(z["mouth"][0] + 0.02, z["mouth"][1] - 0.04, z["zone"] + ("*" if not z["in_wdbii"] else ""), fontsize=7, color="#6a51a3").set_clip_on(True)
s = net["summary"]
ax.set_title(f"liuyu directed river network (WDBII f, LGPL-3.0-or-later): {s['nodes']} nodes, {s['edges']} edges, "
             f"{s['total_km']} km. Blue main stems, orange distributaries, green named tributaries, grey unnamed; "
             "dashed = derived; squares = zone mouths (* river absent from WDBII)", fontsize=8)
if bbox:
    ax.set_xlim(bbox[0], bbox[2]); ax.set_ylim(bbox[1], bbox[3])
ax.set_aspect(1.15)
ax.grid(lw=0.2)
fig.savefig(out, bbox_inches="tight", metadata={"Software": None})
