#!/usr/bin/env python3
"""Independent GCJ-02 / BD-09 reference values for Wuhan landmarks.

Computed with the PyPI package `coordtransform` (Python port of the widely used
wandergis/coordtransform formulas), not with liuyu's code. The WGS 84 positions
are approximate landmark locations (to ~10 m); the test checks the conversion,
not the landmark survey. Writes JSON to stdout; `tests/data/crs_gcj02_wuhan.json`
is this script's committed output, and `.ci/checks/60-formats.sh` regenerates
and compares it.
"""
import json
import sys

from coordTransform import coordTransform as ct  # PyPI: coordtransform==0.2.1

LANDMARKS = [
    ("黄鹤楼 Yellow Crane Tower", 114.30224, 30.54460),
    ("湖北省博物馆 Hubei Provincial Museum", 114.36099, 30.56116),
    ("武汉大学 Wuhan University", 114.36083, 30.53567),
    ("汉口火车站 Hankou Railway Station", 114.25340, 30.61800),
    ("武汉天河机场 Tianhe Airport", 114.20940, 30.77900),
    ("武汉长江大桥 Wuhan Yangtze River Bridge", 114.28890, 30.55330),
    ("光谷广场 Optics Valley Square", 114.39775, 30.50510),
]


def main() -> int:
    out = []
    for name, lon, lat in LANDMARKS:
        g = ct.wgs84_to_gcj02(lon, lat)
        b = ct.wgs84_to_bd09(lon, lat)
        out.append({
            "name": name,
            "wgs84": [lon, lat],
            "gcj02": [round(g[0], 12), round(g[1], 12)],
            "bd09": [round(b[0], 12), round(b[1], 12)],
        })
    json.dump({"source": "PyPI coordtransform==0.2.1 (wgs84_to_gcj02, wgs84_to_bd09)",
               "landmarks": out}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
