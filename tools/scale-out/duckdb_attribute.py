#!/usr/bin/env python3
"""Attribute points with DuckDB (spatial extension) on liuyu's exported GeoParquet layers.

The DuckDB recipe of docs/scale-out.md, runnable as is:

    liuyu export --format geoparquet --out layers/
    python tools/scale-out/duckdb_attribute.py --layers layers/ \
        --points points.csv --out duckdb_result.csv

Input: CSV with columns pid, lon, lat (WGS 84). Output: CSV with pid and the
same id columns `liuyu attribute` writes (county_adcode, prefecture_adcode,
zone_id, basin_id, metro_area_ids, city_cluster_ids, corridor_ids): one SQL
point-in-polygon join (`ST_Within`) per layer; multi-valued layers are joined
with ';' in id order, as liuyu does.

The spatial extension: `INSTALL spatial` downloads it, which needs network; with
`--extension PATH` (or the PyPI package `duckdb-extension-spatial`, whose file
is found automatically) it is loaded from disk. DuckDB verifies the extension's
signature on LOAD (`allow_unsigned_extensions` stays off).
"""
import argparse
import glob
import os
import sys

import duckdb

SINGLE = [("counties", "county_adcode"), ("prefectures", "prefecture_adcode"),
          ("zones", "zone_id"), ("basins", "basin_id")]
MULTI = [("metro_areas", "metro_area_ids"), ("city_clusters", "city_cluster_ids"),
         ("corridors", "corridor_ids")]


def extension_path(given):
    if given:
        return given
    try:
        import duckdb_extension_spatial  # PyPI package shipping the signed binary
    except ImportError:
        return None
    found = glob.glob(os.path.join(os.path.dirname(duckdb_extension_spatial.__file__),
                                   "extensions", f"v{duckdb.__version__}", "spatial.duckdb_extension"))
    return found[0] if found else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", required=True, help="directory of exported *.parquet layers (CRS84)")
    ap.add_argument("--points", required=True, help="CSV with pid, lon, lat")
    ap.add_argument("--out", required=True)
    ap.add_argument("--extension", help="path of spatial.duckdb_extension (default: INSTALL spatial)")
    args = ap.parse_args()

    con = duckdb.connect()
    ext = extension_path(args.extension)
    if ext:
        con.execute(f"LOAD '{ext}'")
    else:
        con.execute("INSTALL spatial; LOAD spatial;")
    con.execute("""CREATE TABLE pts AS
                   SELECT pid, ST_Point(lon, lat) AS geom
                   FROM read_csv(?, columns = {'pid': 'BIGINT', 'lon': 'DOUBLE', 'lat': 'DOUBLE'}, header = true)""",
                [args.points])
    select = ["p.pid"]
    joins = []
    for i, (layer, col) in enumerate(SINGLE + MULTI):
        path = os.path.join(args.layers, f"{layer}.parquet")
        agg = "min(l.id)" if (layer, col) in SINGLE else "string_agg(l.id, ';' ORDER BY l.id)"
        # DuckDB reads the GeoParquet `geometry` column (WKB + `geo` metadata) as GEOMETRY.
        joins.append(f"""LEFT JOIN (
              SELECT p.pid, {agg} AS v
              FROM pts p JOIN read_parquet('{path}') l
                ON ST_Within(p.geom, l.geometry)
              GROUP BY p.pid) t{i} ON t{i}.pid = p.pid""")
        select.append(f"coalesce(t{i}.v, '') AS {col}")
    sql = f"SELECT {', '.join(select)} FROM pts p {' '.join(joins)} ORDER BY p.pid"
    con.execute(f"COPY ({sql}) TO '{args.out}' (HEADER, DELIMITER ',')")
    n = con.execute("SELECT count(*) FROM pts").fetchone()[0]
    print(f"duckdb {duckdb.__version__} spatial: {n} points attributed -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
