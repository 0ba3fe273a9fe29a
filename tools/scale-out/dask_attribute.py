#!/usr/bin/env python3
"""Attribute points with Dask-GeoPandas on liuyu's exported GeoParquet layers.

The scale-out recipe of docs/scale-out.md, runnable as is:

    liuyu export --format geoparquet --out layers/
    python tools/scale-out/dask_attribute.py --layers layers/ \
        --points points.csv --out dask_result.csv [--workers 2]

Input: CSV with columns pid, lon, lat (WGS 84). Output: CSV with pid and the
same id columns `liuyu attribute` writes (county_adcode, prefecture_adcode,
zone_id, basin_id, metro_area_ids, city_cluster_ids, corridor_ids). Each
layer is joined separately with a point-in-polygon spatial join
(`predicate="within"`) on a local Dask cluster; multi-valued layers (metro
areas, clusters, corridors) are joined with ';' in id order, as liuyu does.
"""
import argparse
import sys

import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import pandas as pd
from dask.distributed import Client, LocalCluster

SINGLE = [("counties", "county_adcode"), ("prefectures", "prefecture_adcode"),
          ("zones", "zone_id"), ("basins", "basin_id")]
MULTI = [("metro_areas", "metro_area_ids"), ("city_clusters", "city_cluster_ids"),
         ("corridors", "corridor_ids")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", required=True, help="directory of exported *.parquet layers (CRS84)")
    ap.add_argument("--points", required=True, help="CSV with pid, lon, lat")
    ap.add_argument("--out", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partitions", type=int, default=8)
    args = ap.parse_args()

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        df = dd.read_csv(args.points, dtype={"pid": "int64", "lon": "float64", "lat": "float64"})
        df = df.repartition(npartitions=args.partitions)
        pts = dask_geopandas.from_dask_dataframe(
            df, geometry=dask_geopandas.points_from_xy(df, "lon", "lat", crs="OGC:CRS84"))
        result = df[["pid"]].compute().set_index("pid")
        for layer, col in SINGLE + MULTI:
            poly = gpd.read_parquet(f"{args.layers}/{layer}.parquet")[["id", "geometry"]]
            poly = poly.to_crs("OGC:CRS84") if poly.crs is not None else poly.set_crs("OGC:CRS84")
            joined = dask_geopandas.sjoin(pts, poly, how="inner", predicate="within")
            hits = joined[["pid", "id"]].compute()
            ids = (hits.sort_values(["pid", "id"]).groupby("pid")["id"]
                   .agg(lambda s: s.iloc[0] if col in dict(SINGLE).values() else ";".join(s)))
            result[col] = ids
        result = result.fillna("").sort_index()
        result.reset_index().to_csv(args.out, index=False)
    print(f"dask-geopandas: {len(result)} points attributed -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
