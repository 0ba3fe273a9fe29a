#!/usr/bin/env bash
# Footprint overlay checked by an independent engine: 150 seeded random
# footprints (stars, overlapping parts of either orientation, holes, counties
# bit for bit, grid boxes) plus the three benchmark footprints, overlaid by
# liuyu (examples/analyze_footprints.rs) and by shapely/GEOS
# (.ci/checks/overlay_shapely.py); every unit's area must agree within a 1 mm
# strip along the footprint's boundary.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
echo "overlay: installing shapely (pinned)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "shapely==2.2.0"
t1=$(date +%s)
out=.work/overlay-check
rm -rf "$out"
echo "overlay: liuyu answers (debug build, reused from cargo test)"
cargo run --quiet --example analyze_footprints -- "$out" --random 150 --bench
t2=$(date +%s)
python3 .ci/checks/overlay_shapely.py "$out"
t3=$(date +%s)
echo "overlay: OK (pip $((t1 - t0)) s, liuyu $((t2 - t1)) s, shapely $((t3 - t2)) s)"
