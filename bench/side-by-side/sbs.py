"""Side-by-side benchmark driver (issue 13): points, engines, agreement, table.

Subcommands (run.sh calls them in order; each writes JSON into WORK):
  points   WORK N_RANDOM N_BORDER   seeded point sets as CSV and .npy
  python   WORK                     shapely (prepared + contains_xy, 1 thread)
                                    and the liuyu package on the same arrays
  postgis  WORK PSQL...             8 joins on ST_Subdivide'd tables
  compare  WORK                     every engine against liuyu outside the
                                    1 cm border band (exit 1 on a difference)
  report   WORK                     one table of points/s and ratios
"""
import csv
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["province", "prefectures", "counties", "basins", "zones",
          "metro_areas", "city_clusters", "corridors"]
MULTI = {"metro_areas", "city_clusters", "corridors"}
# Columns of `liuyu attribute` for the layers it writes.
CLI_COLUMNS = {"prefectures": "prefecture_adcode", "counties": "county_adcode",
               "basins": "basin_id", "zones": "zone_id", "metro_areas": "metro_area_ids",
               "city_clusters": "city_cluster_ids", "corridors": "corridor_ids"}
SETS = ["random", "border"]


def features(layer):
    fc = json.loads((ROOT / "data/layers" / f"{layer}.geojson").read_text(encoding="utf-8"))
    for f in fc["features"]:
        yield str(f.get("id", f["properties"].get("id"))), f["geometry"]


def save(work, name, obj):
    (Path(work) / f"{name}.json").write_text(json.dumps(obj, indent=1))


def load(work, name):
    p = Path(work) / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


# ---------------------------------------------------------------- points
def cmd_points(work, n_random, n_border):
    """1,000,000 uniform in Hubei's bbox (seed 1301) and 200,000 within 100 m
    of county borders (seed 1302: a random edge of a county's outer ring, a
    uniform point on it, moved up to 0.0009 degree in a random direction)."""
    work = Path(work)
    n_random, n_border = int(n_random), int(n_border)
    (_, prov), = list(features("province"))
    coords = np.array([c for poly in (prov["coordinates"] if prov["type"] == "MultiPolygon"
                                      else [prov["coordinates"]]) for c in poly[0]])
    x0, y0 = coords.min(axis=0)
    x1, y1 = coords.max(axis=0)
    rng = np.random.default_rng(1301)
    sets = {"random": (rng.uniform(x0, x1, n_random), rng.uniform(y0, y1, n_random))}
    edges = []
    for _, g in features("counties"):
        for poly in (g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]):
            ring = np.asarray(poly[0])
            edges.append(np.hstack([ring[:-1], ring[1:]]))
    edges = np.vstack(edges)
    rng = np.random.default_rng(1302)
    e = edges[rng.integers(0, len(edges), n_border)]
    t, r = rng.random(n_border), rng.uniform(0.0, 0.0009, n_border)
    a = rng.uniform(0.0, 2 * math.pi, n_border)
    sets["border"] = (e[:, 0] + t * (e[:, 2] - e[:, 0]) + r * np.cos(a),
                      e[:, 1] + t * (e[:, 3] - e[:, 1]) + r * np.sin(a))
    save(work, "points", {name: len(x) for name, (x, _) in sets.items()})
    for name, (x, y) in sets.items():
        np.save(work / f"{name}_lon.npy", x)
        np.save(work / f"{name}_lat.npy", y)
        with open(work / f"{name}.csv", "w") as f:
            f.write("pid,lon,lat\n")
            f.writelines(f"{i},{a!r},{b!r}\n" for i, (a, b) in enumerate(zip(x.tolist(), y.tolist())))
    print(f"points: {n_random} random in [{x0}, {x1}] x [{y0}, {y1}], {n_border} border "
          f"({len(edges)} county edges)")


def arrays(work, name):
    return np.load(Path(work) / f"{name}_lon.npy"), np.load(Path(work) / f"{name}_lat.npy")


# ---------------------------------------------------------------- shapely + liuyu (Python)
def shapely_locate(layers, x, y):
    """Every layer's units per point as numpy arrays: the unit's index for a
    single-valued layer (-1: none), a bit mask of units for a multi-valued one.
    Per-unit prepared polygon, bbox prefilter, contains_xy: the fastest
    shapely form measured (build-notes.md)."""
    import shapely
    out = {}
    for layer, units in layers.items():
        multi = layer in MULTI
        res = np.zeros(len(x), dtype=np.uint64) if multi else np.full(len(x), -1, dtype=np.int32)
        for k, (_, g, (bx0, by0, bx1, by1)) in enumerate(units):
            m = np.flatnonzero((x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1))
            if len(m):
                m = m[shapely.contains_xy(g, x[m], y[m])]
                if multi:
                    res[m] |= np.uint64(1 << k)
                else:
                    res[m] = k
        out[layer] = res
    return out


def shapely_ids(layers, arrays_):
    """The arrays of shapely_locate as ';'-joined ids (not timed)."""
    out = {}
    for layer, res in arrays_.items():
        ids = [u[0] for u in layers[layer]]
        if layer in MULTI:
            out[layer] = [";".join(ids[k] for k in range(len(ids)) if int(v) >> k & 1) for v in res]
        else:
            out[layer] = [ids[v] if v >= 0 else "" for v in res.tolist()]
    return out


def median_run(f):
    """The result and median time of SBS_REPS runs of f() (default 3; the
    same rule for every engine timed in this process and for the CLI)."""
    runs = []
    for _ in range(int(os.environ.get("SBS_REPS", "3"))):
        t0 = time.perf_counter()
        out = f()
        runs.append((time.perf_counter() - t0, out))
    runs.sort(key=lambda r: r[0])
    t, out = runs[len(runs) // 2]
    return out, t


def cmd_python(work):
    import shapely
    import liuyu
    t0 = time.perf_counter()
    layers = {}
    for layer in LAYERS:
        units = []
        for uid, g in features(layer):
            geom = shapely.geometry.shape(g)
            shapely.prepare(geom)
            units.append((uid, geom, geom.bounds))
        layers[layer] = units
    prep = time.perf_counter() - t0
    atlas = liuyu.Atlas()
    liuyu.locate([114.2538], [30.606], atlas=atlas)  # warm
    res = {"shapely_prepare_s": prep, "shapely_version": shapely.__version__,
           "geos_version": shapely.geos_version_string, "sets": {}}
    for name in SETS:
        x, y = arrays(work, name)
        sh, t_sh = median_run(lambda: shapely_locate(layers, x, y))
        lp, t_lp = median_run(lambda: liuyu.locate(x, y, atlas=atlas))
        _, t_lp1 = median_run(lambda: liuyu.locate(x, y, atlas=atlas, threads=1))
        (Path(work) / f"{name}_shapely.json").write_text(json.dumps(shapely_ids(layers, sh)))
        cols = {layer: [v if v is not None else "" for v in lp.column(col).to_pylist()]
                for layer, col in liuyu.COLUMNS.items()}
        cols["on_boundary"] = lp.column("on_boundary").to_pylist()
        (Path(work) / f"{name}_liuyu_py.json").write_text(json.dumps(cols))
        res["sets"][name] = {"n": len(x), "shapely_s": t_sh, "liuyu_py_s": t_lp,
                             "liuyu_py_1t_s": t_lp1}
        print(f"{name}: shapely {len(x) / t_sh:,.0f}/s, liuyu.locate {len(x) / t_lp:,.0f}/s "
              f"(1 thread {len(x) / t_lp1:,.0f}/s)")
    save(work, "python", res)


# ---------------------------------------------------------------- PostGIS
def psql(args, sql, capture=False):
    """Runs `sql` through psql's standard input (the layers' GeoJSON exceeds
    the argument-length limit); stops at the first error."""
    return subprocess.run(args + ["-v", "ON_ERROR_STOP=1", "-q", "-X", "-f", "-"],
                          input="SET client_min_messages = warning;\n" + sql, check=True,
                          stdout=subprocess.PIPE if capture else None, text=True).stdout


def cmd_postgis(work, *args):
    args = list(args)
    t0 = time.perf_counter()
    psql(args, "CREATE EXTENSION IF NOT EXISTS postgis")
    version = psql(args + ["-t", "-A"], "SELECT postgis_lib_version()", capture=True).strip()
    pg = psql(args + ["-t", "-A"], "SHOW server_version", capture=True).strip()
    for layer in LAYERS:
        rows = ",\n".join(
            "('{}', ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON('{}'), 4326)))".format(
                uid.replace("'", "''"), json.dumps(g).replace("'", "''"))
            for uid, g in features(layer))
        psql(args, f"""
DROP TABLE IF EXISTS {layer}_raw, {layer}_sub;
CREATE TABLE {layer}_raw (id text, geom geometry(MultiPolygon, 4326));
INSERT INTO {layer}_raw VALUES {rows};
CREATE TABLE {layer}_sub AS SELECT id, ST_Subdivide(geom, 256) AS geom FROM {layer}_raw;
CREATE INDEX ON {layer}_sub USING gist (geom);
ANALYZE {layer}_sub;""")
    res = {"postgis": version, "postgresql": pg, "setup_s": time.perf_counter() - t0, "sets": {}}
    for name in SETS:
        csv_path = Path(work) / f"{name}.csv"
        psql(args, f"""
DROP TABLE IF EXISTS pts_xy, pts;
CREATE UNLOGGED TABLE pts_xy (pid int, x float8, y float8);""")
        with open(csv_path) as f:
            subprocess.run(args + ["-q", "-X", "-c", "COPY pts_xy FROM STDIN WITH (FORMAT csv, HEADER)"],
                           stdin=f, check=True)
        psql(args, """
CREATE UNLOGGED TABLE pts AS SELECT pid, ST_SetSRID(ST_MakePoint(x, y), 4326) AS geom FROM pts_xy;
ALTER TABLE pts ADD PRIMARY KEY (pid);
ANALYZE pts;
DROP TABLE IF EXISTS res;
CREATE UNLOGGED TABLE res (layer text, pid int, id text);""")
        joins = "\n".join(
            f"INSERT INTO res SELECT DISTINCT '{layer}', p.pid, s.id FROM pts p "
            f"JOIN {layer}_sub s ON ST_Intersects(s.geom, p.geom);" for layer in LAYERS)
        t0 = time.perf_counter()
        psql(args, joins)
        elapsed = time.perf_counter() - t0
        out = psql(args, "COPY (SELECT layer, pid, string_agg(id, ';' ORDER BY id) FROM res "
                         "GROUP BY layer, pid) TO STDOUT WITH (FORMAT csv)", capture=True)
        n = sum(1 for _ in open(csv_path)) - 1
        got = {layer: [""] * n for layer in LAYERS}
        for layer, pid, ids in csv.reader(out.splitlines()):
            got[layer][int(pid)] = ids
        (Path(work) / f"{name}_postgis.json").write_text(json.dumps(got))
        res["sets"][name] = {"n": n, "postgis_s": elapsed}
        print(f"{name}: PostGIS 8 joins {n / elapsed:,.0f}/s")
    save(work, "postgis", res)


# ---------------------------------------------------------------- agreement
def cli_columns(path):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        rows = list(r)
    cols = {layer: [row[c] for row in rows] for layer, c in CLI_COLUMNS.items()}
    cols["on_boundary"] = [row["on_boundary"] == "true" for row in rows]
    return cols


def norm(layer, v):
    """A layer value for comparison: multi-valued ids sorted, others the first."""
    ids = [i for i in v.split(";") if i]
    return ";".join(sorted(ids)) if layer in MULTI else (ids[0] if ids else "")


def cmd_compare(work):
    """Every engine equals the liuyu CLI on every layer for every point not on
    a border (liuyu's on_boundary false). A point liuyu puts in the border band
    must be within 1.01 x 1e-7 degree of a county boundary (every layer's
    boundaries are county boundaries), checked with shapely."""
    import shapely
    borders = [shapely.geometry.shape(g).boundary for _, g in features("counties")]
    tree = shapely.STRtree(borders)
    report = {}
    bad = 0
    for name in SETS:
        ref = cli_columns(Path(work) / f"{name}_liuyu_cli.csv")
        band = np.array(ref["on_boundary"])
        x, y = arrays(work, name)
        idx = np.flatnonzero(band)
        if len(idx):
            _, d = tree.query_nearest(shapely.points(x[idx], y[idx]), return_distance=True,
                                      all_matches=False)
            far = int((d > 1.01e-7).sum())
            if far:
                print(f"  {name}: {far} points flagged on_boundary farther than 1.01e-7 deg from a border")
                bad += far
        report[name] = {"points": len(band), "border_band": int(band.sum())}
        for engine in ["liuyu_py", "shapely", "postgis"]:
            p = Path(work) / f"{name}_{engine}.json"
            if not p.exists():
                continue
            other = json.loads(p.read_text())
            diffs = 0
            for layer in CLI_COLUMNS:
                a, b = ref[layer], other[layer]
                for i in np.flatnonzero(~band):
                    if norm(layer, a[i]) != norm(layer, b[i]):
                        diffs += 1
                        if diffs <= 5:
                            print(f"  {name} {engine} {layer} point {i}: liuyu {a[i]!r}, {engine} {b[i]!r}")
            report[name][engine] = diffs
            bad += diffs
        print(f"{name}: {report[name]}")
    save(work, "compare", report)
    if bad:
        sys.exit(f"engines disagree outside the border band ({bad})")


# ---------------------------------------------------------------- report
def cmd_report(work):
    py, pg, cli, http, cmp_ = (load(work, k) for k in ["python", "postgis", "cli", "http", "compare"])
    meta = load(work, "meta") or {}
    lines = [f"Side-by-side, {meta.get('date', '?')}, {meta.get('machine', '?')}",
             f"load average before/after: {meta.get('load_before', '?')} / {meta.get('load_after', '?')}",
             f"times: median of {os.environ.get('SBS_REPS', '3')} runs for the CLI, liuyu.locate and shapely "
             "(each CLI run writes a new output file), one run for PostGIS and t1_replace",
             "", "| engine (all 8 layers) | random pts/s | border pts/s |", "|---|---|---|"]
    rate = {}
    counts = load(work, "points")

    def row(label, key, secs):
        vals = []
        for name in SETS:
            s = secs(name)
            r = counts[name] / s if s else None
            rate[(key, name)] = r
            vals.append(f"{r:,.0f}" if r else "n/a")
        lines.append(f"| {label} | {vals[0]} | {vals[1]} |")

    if cli:
        for k, label in [("t1", "`liuyu attribute --threads 1` (CSV in, CSV out; pipeline time)"),
                         ("t1_wall", "same, wall clock of the process (incl. start-up and index build)"),
                         ("t1_core", "same, pinned to one core (`taskset -c 0`), pipeline time"),
                         ("t1_replace", "same, replacing an existing output file (one run)"),
                         ("all", "`liuyu attribute` (all cores), pipeline time")]:
            if all(cli.get(n, {}).get(k) for n in SETS):
                row(label, k, lambda n, k=k: cli[n][k])
    if py:
        row("`liuyu.locate` (Python, numpy in, pyarrow out, all cores)", "py",
            lambda n: py["sets"][n]["liuyu_py_s"])
        row("`liuyu.locate(..., threads=1)`", "py1", lambda n: py["sets"][n]["liuyu_py_1t_s"])
        row(f"shapely {py['shapely_version']} (GEOS {py['geos_version']}) prepared + contains_xy, 1 thread",
            "shapely", lambda n: py["sets"][n]["shapely_s"])
    if pg:
        row(f"PostGIS {pg['postgis']} (PostgreSQL {pg['postgresql']}), "
            "8 joins on ST_Subdivide(256) tables, points pre-loaded", "postgis",
            lambda n: pg["sets"][n]["postgis_s"])
    lines += ["", "| ratio | random | border | target |", "|---|---|---|---|"]
    for a, b, target in [("t1", "shapely", "10x / 5x"), ("t1", "postgis", "50x / 25x"),
                         ("t1_core", "shapely", ""), ("t1_core", "postgis", ""),
                         ("py", "shapely", "10x"), ("py1", "shapely", "")]:
        ra = [rate.get((a, n)) for n in SETS]
        rb = [rate.get((b, n)) for n in SETS]
        if all(ra) and all(rb):
            lines.append(f"| {a} / {b} | {ra[0] / rb[0]:.1f}x | {ra[1] / rb[1]:.1f}x | {target} |")
    if cmp_:
        lines += ["", "Agreement outside the 1 cm border band (differing layer values; "
                  "band = points liuyu flags on_boundary):"]
        for n in SETS:
            lines.append(f"- {n}: {cmp_[n]}")
    if http:
        lines += ["", f"HTTP (wrk {http['threads']} threads, {http['connections']} connections, "
                  f"{http['duration']}, same server): /health {http['health']:,.0f} req/s, "
                  f"/v1/locate {http['locate']:,.0f} req/s (ratio {http['locate'] / http['health']:.2f}); "
                  f"server RSS after: {http['rss_mib']:.1f} MiB"]
    text = "\n".join(lines)
    (Path(work) / "report.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    cmd, *rest = sys.argv[1:]
    {"points": cmd_points, "python": cmd_python, "postgis": cmd_postgis,
     "compare": cmd_compare, "report": cmd_report}[cmd](*rest)
