#!/usr/bin/env python3
"""Compare `liuyu attribute` output with a scale-out recipe's output (Dask-GeoPandas or DuckDB).

Usage: compare_ids.py LIUYU.csv OTHER.csv. Rows are matched by pid; points that
liuyu flags on_boundary=true are skipped (on a shared border both engines are
right and may pick different sides). Exits 1 on any difference.
"""
import sys

import pandas as pd

COLS = ["county_adcode", "prefecture_adcode", "zone_id", "basin_id",
        "metro_area_ids", "city_cluster_ids", "corridor_ids"]


def main() -> int:
    a = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False).set_index("pid")
    b = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False).set_index("pid")
    if len(a) != len(b) or set(a.index) != set(b.index):
        print(f"row sets differ: liuyu {len(a)} other {len(b)}")
        return 1
    a = a[a["on_boundary"] != "true"]
    b = b.loc[a.index]
    bad = 0
    for c in COLS:
        diff = a[c] != b[c]
        if diff.any():
            bad += int(diff.sum())
            print(f"{c}: {int(diff.sum())} differ, e.g.\n{pd.concat([a[c], b[c]], axis=1)[diff].head()}")
    inside = int((a["county_adcode"] != "").sum())
    print(f"compared {len(a)} points ({inside} inside Hubei) on {len(COLS)} id columns: {bad} differences")
    return 1 if bad or inside == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
