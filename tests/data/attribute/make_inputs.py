"""Writes the attribute golden inputs (deterministic; run from the repo root):
    python3 tests/data/attribute/make_inputs.py
Each input mixes plain rows with the CSV/JSON forms whose output must not
change: quotes, embedded commas and newlines, CRLF and lone CR, a BOM, blank
lines, padded and non-numeric coordinates, CRS domain errors, unicode."""
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent
r = random.Random(20261201)


def pts(n):
    return [(r.uniform(108.3, 116.2), r.uniform(29.0, 33.3)) for _ in range(n)]


def csv_mixed():
    rows = ['\ufeffid,name,lon,lat,note']
    for i, (x, y) in enumerate(pts(400)):
        rows.append(f"{i},p{i},{x!r},{y:.7f},")
    odd = [
        '500,"Smith, J.",114.2538,30.6060,"said ""hi"""',
        '501,"two\nlines",114.2538,30.6060,x',
        '502,湖北武汉,  114.2538 , 30.6060 ,中文',
        '503,#hash,114.2538,30.6060,',
        '504,ab"c,114.2538,30.6060,"q"tail',
        '505,bad,abc,30,',
        '506,range,200,30,',
        '507,nan,nan,30,',
        '508,inf,inf,-inf,',
        '509,empty,,,',
        '510,\'single\',114.2538,30.6060,\'',
        '511,tab\tin,114.2538,30.6060,	',
        '512,"",114.2538,30.6060,""',
        '513, lead,114.31,30.52,trail ',
        '514,exp,1.142538e2,3.0606E1,',
    ]
    text = "\n".join(rows[:200]) + "\r\n" + "\r\n".join(rows[200:300]) + "\n\n\n"
    text += "\n".join(rows[300:]) + "\n" + "\n".join(odd) + "\r" + "515,cr,114.2538,30.6060,last"
    (OUT / "mixed.csv").write_bytes(text.encode("utf-8"))


def csv_projected():
    # EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E) metres, and some outside its domain.
    rows = ["id,x,y"]
    for i in range(200):
        rows.append(f"{i},{r.uniform(200000, 800000):.3f},{r.uniform(3200000, 3700000):.3f}")
    rows += ["900,1e12,3380525.02", "901,529001.53,-1e12", "902,529001.53,3380525.02"]
    (OUT / "projected.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def ndjson():
    lines = []
    for i, (x, y) in enumerate(pts(300)):
        obj = {"zid": i, "lng": x, "lat": y, "tag": "t", "nested": {"a": [1, 2]}}
        if i % 7 == 0:
            obj["lng"] = str(x)
        lines.append(json.dumps(obj, ensure_ascii=(i % 2 == 0)))
    lines += [
        '{"lat": 30.6060, "lng": 114.2538, "name": "\\u6c5f\\u6c49", "z": 1.50, "e": 1E2}',
        '{"lng": " 114.2538 ", "lat": "30.6060"}',
        '{"lng": null, "lat": 30}',
        '{"lat": 30}',
        '{"lng": true, "lat": 30}',
        '   ',
        '{"lng": 114.2538, "lat": 30.6060, "big": 12345678901234567890, "neg": -0.0}',
    ]
    text = "\n".join(lines[:150]) + "\r\n" + "\r\n".join(lines[150:]) + "\n"
    (OUT / "points.ndjson").write_bytes(text.encode("utf-8"))


def csv_border():
    # Within 100 m of county borders, on vertices and on edge midpoints.
    fc = json.loads((OUT.parents[2] / "data/layers/counties.geojson").read_text(encoding="utf-8"))
    edges = []
    for f in fc["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            ring = poly[0]
            edges += [(ring[k], ring[k + 1]) for k in range(len(ring) - 1)]
    rows = ["lon,lat"]
    for _ in range(400):
        (ax, ay), (bx, by) = r.choice(edges)
        t, d, ang = r.random(), r.uniform(0, 0.0009), r.uniform(0, 6.283185307179586)
        rows.append(f"{ax + t * (bx - ax) + d * __import__('math').cos(ang)!r},"
                    f"{ay + t * (by - ay) + d * __import__('math').sin(ang)!r}")
    for _ in range(50):
        (ax, ay), (bx, by) = r.choice(edges)
        rows.append(f"{ax!r},{ay!r}")
        rows.append(f"{(ax + bx) / 2!r},{(ay + by) / 2!r}")
    (OUT / "border.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


csv_mixed()
csv_border()
csv_projected()
ndjson()
