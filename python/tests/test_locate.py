"""The Python package against independent truth: shapely (GEOS) on the
dataset's own GeoJSON layers, pyproj (PROJ) for projected input, and the
command line's rules (first unit, `;`-joined multi-valued layers)."""

import json
import math
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import shapely

import liuyu

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ROOT / "data" / "layers"
SEED = 20230119


def random_points(n, seed=SEED):
    rng = np.random.default_rng(seed)
    return rng.uniform(108.3, 116.2, n), rng.uniform(29.0, 33.3, n)


def shapely_layers():
    """Per layer: [(id, prepared geometry, boundary)]."""
    out = {}
    for name in liuyu.COLUMNS:
        fc = json.loads((LAYERS / f"{name}.geojson").read_text(encoding="utf-8"))
        units = []
        for f in fc["features"]:
            g = shapely.geometry.shape(f["geometry"])
            shapely.prepare(g)
            units.append((str(f.get("id", f["properties"].get("id"))), g))
        out[name] = units
    return out


def test_issue_example_jianghan():
    t = liuyu.locate([114.2538, 0.0], [30.6060, 0.0])
    row = t.slice(0, 1).to_pylist()[0]
    assert row["county_adcode"] == "420103"
    assert row["prefecture_adcode"] == "420100"
    assert row["province_adcode"] == "420000"
    assert row["zone_id"] == "H7" and row["basin_id"] == "hanjiang"
    assert row["metro_area_ids"] == "wuhan"
    assert row["on_boundary"] is False and row["error"] is None
    outside = t.slice(1, 1).to_pylist()[0]
    assert all(outside[c] is None for c in liuyu.COLUMNS.values())


def test_agrees_with_shapely_off_the_border_band():
    lon, lat = random_points(20_000)
    got = liuyu.locate(lon, lat, format="numpy")
    checked = 0
    for name, units in shapely_layers().items():
        col = got[liuyu.COLUMNS[name]]
        multi = name in ("metro_areas", "city_clusters", "corridors")
        inside = np.zeros((len(units), len(lon)), dtype=bool)
        for k, (_, g) in enumerate(units):
            inside[k] = shapely.contains_xy(g, lon, lat)
        for i in range(len(lon)):
            ids = [units[k][0] for k in np.flatnonzero(inside[:, i])]
            want = ";".join(ids) if multi else (ids[0] if ids else None)
            if want == "":
                want = None
            if col[i] != want:
                # Only within the 1 cm border band may the engines differ.
                d = min(shapely.distance(g.boundary, shapely.Point(lon[i], lat[i]))
                        for _, g in units)
                assert d <= 1.01 * liuyu.BOUNDARY_EPSILON, (name, lon[i], lat[i], col[i], want)
            checked += 1
    assert checked == 8 * len(lon)
    assert sum(v is not None for v in got["county_adcode"]) > 8_000


def test_numpy_pandas_pyarrow_and_lists_give_the_same_table():
    lon, lat = random_points(5_000, seed=7)
    base = liuyu.locate(lon, lat)
    assert base.num_rows == 5_000
    for x, y in [
        (pd.Series(lon), pd.Series(lat)),
        (pa.array(lon), pa.array(lat)),
        (pa.chunked_array([lon[:100], lon[100:]]), pa.chunked_array([lat[:100], lat[100:]])),
        (list(lon), list(lat)),
        (lon[::-1].copy()[::-1], lat[::-1].copy()[::-1]),  # non-contiguous views
    ]:
        assert liuyu.locate(x, y).equals(base)


def test_formats_agree():
    lon, lat = random_points(3_000, seed=11)
    t = liuyu.locate(lon, lat, format="arrow")
    df = liuyu.locate(lon, lat, format="pandas")
    d = liuyu.locate(lon, lat, format="numpy")
    assert list(df.columns) == t.column_names == list(d)
    for c in liuyu.COLUMNS.values():
        a = t.column(c).to_pylist()
        p = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else v
             for v in df[c].astype(object).tolist()]
        assert a == p == list(d[c]), c
    assert (df["on_boundary"].to_numpy() == d["on_boundary"]).all()


def test_projected_input_gives_the_same_units():
    pyproj = pytest.importorskip("pyproj")
    lon, lat = random_points(3_000, seed=13)
    e, n = pyproj.Transformer.from_crs("EPSG:4490", "EPSG:4547", always_xy=True).transform(lon, lat)
    a = liuyu.locate(lon, lat, format="numpy")
    b = liuyu.locate(e, n, crs="EPSG:4547", format="numpy")
    differ = sum(x != y for x, y in zip(a["county_adcode"], b["county_adcode"]))
    assert differ == 0


def test_bad_coordinates_are_reported_not_raised():
    t = liuyu.locate([114.2538, float("nan"), 200.0, 114.2538], [30.6060, 30.0, 30.0, None])
    rows = t.to_pylist()
    assert rows[0]["error"] is None and rows[0]["county_adcode"] == "420103"
    for r in rows[1:]:
        assert r["error"] and r["county_adcode"] is None
    with pytest.raises(ValueError):
        liuyu.locate([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        liuyu.locate([1.0], [1.0], crs="EPSG:1")
    with pytest.raises(ValueError):
        liuyu.locate([1.0], [1.0], format="xlsx")


def test_arrow_columns_are_the_ones_pyarrow_builds_from_values():
    """The Arrow table is assembled from buffers (codes in place, bitmaps packed
    by numpy, the error column from offsets); it must equal, value for value
    and type for type, the table pyarrow builds from the same answers the slow
    way, with errors scattered among valid rows."""
    import pyarrow as pa

    lon, lat = random_points(20_000, seed=19)
    lon[::97] = float("nan")
    lat[5::311] = 95.0
    lon[3::1013] = 400.0
    t = liuyu.locate(lon, lat)
    t.validate(full=True)
    d = liuyu.locate(lon, lat, format="numpy")
    for c in liuyu.COLUMNS.values():
        ref = pa.array(list(d[c]), type=pa.string()).dictionary_encode()
        assert t.column(c).to_pylist() == ref.to_pylist(), c
        assert t.column(c).type == pa.dictionary(pa.int32(), pa.string()), c
    err = pa.array(list(d["error"]), type=pa.string())
    assert t.column("error").combine_chunks().equals(err)
    assert err.null_count < len(lon) and t.column("error").null_count == err.null_count


def test_threads_do_not_change_the_answer():
    lon, lat = random_points(50_000, seed=17)
    one = liuyu.locate(lon, lat, threads=1)
    assert liuyu.locate(lon, lat, threads=2).equals(one)
    assert liuyu.locate(lon, lat, threads=7).equals(one)


def test_the_gil_is_released_during_a_lookup():
    """Another Python thread runs in the middle of a long lookup (it could
    not if the lookup held the GIL)."""
    import time
    lon, lat = random_points(3_000_000, seed=19)
    atlas = liuyu.Atlas()
    stamps = []
    stop = threading.Event()

    def spin():
        k = 0
        while not stop.is_set():
            k += 1
            if k % 200 == 0:
                stamps.append(time.perf_counter())

    th = threading.Thread(target=spin)
    th.start()
    while not stamps:
        time.sleep(0.001)
    t0 = time.perf_counter()
    atlas._native._locate(lon, lat, "CRS84", 1)
    t1 = time.perf_counter()
    stop.set()
    th.join()
    margin = 0.02  # twice the interpreter's switch interval (5 ms), and more
    assert t1 - t0 > 4 * margin, f"the lookup was too short to tell ({t1 - t0:.3f} s)"
    inside = [t for t in stamps if t0 + margin < t < t1 - margin]
    assert inside, "no other Python thread ran during the lookup"


def test_user_dataset_and_one_point_answer():
    a = liuyu.Atlas(str(ROOT / "data"))
    assert a.version == liuyu.Atlas().version
    assert len(a.layers()["counties"]) == 103
    one = a.locate_one(114.2538, 30.6060)
    assert one["county"]["adcode"] == "420103" and one["inside_hubei"] is True
    t = liuyu.locate([114.2538], [30.6060], atlas=a)
    assert t.column("zone_id").to_pylist() == ["H7"]
    with pytest.raises(OSError):
        liuyu.Atlas(str(ROOT / "no-such-dataset"))
