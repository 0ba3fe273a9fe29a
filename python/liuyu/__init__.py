"""liuyu (流域): which units of Hubei govern a point, for whole columns at once.

    >>> import liuyu
    >>> t = liuyu.locate([114.2538, 0.0], [30.6060, 0.0])      # a pyarrow.Table
    >>> t.column("county_adcode").to_pylist()
    ['420103', None]

``locate`` takes numpy arrays, pandas Series, pyarrow arrays or lists of
longitudes and latitudes (in ``crs``: ``CRS84`` by default, or any CRS the
``liuyu`` command line accepts: ``EPSG:4490``, ``EPSG:3857``, ``EPSG:4547``,
``gcj02``, ``bd09`` ...), looks them up on all cores with the GIL released and
returns one row per point with every layer's id and ``on_boundary``:

``province_adcode, prefecture_adcode, county_adcode, basin_id, zone_id,
metro_area_ids, city_cluster_ids, corridor_ids, on_boundary, error``

Ids are null outside Hubei. A multi-valued layer (metro areas, city
clusters, corridors) gives every containing unit, ``;``-joined as in
``liuyu attribute``; single-valued layers give the first containing unit
(on a shared border, within 1 cm, the point is in both neighbours and
``on_boundary`` is true). ``error`` says why a point could not be placed (not
a finite number, out of range, outside the CRS's domain); its ids are null.

Zones and basins are reconstructed (see the dataset's provenance); load an
official dataset with ``liuyu.Atlas(path)``.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

import numpy as np

from . import _liuyu

__all__ = ["Atlas", "locate", "COLUMNS", "BOUNDARY_EPSILON", "__version__"]

__version__ = _liuyu.__version__
#: Distance (degrees, about 1 cm) within which a point is on a border.
BOUNDARY_EPSILON = _liuyu.BOUNDARY_EPSILON

#: Output id columns, one per layer, in lookup order (names as ``liuyu attribute``).
COLUMNS = {
    "province": "province_adcode",
    "prefectures": "prefecture_adcode",
    "counties": "county_adcode",
    "basins": "basin_id",
    "zones": "zone_id",
    "metro_areas": "metro_area_ids",
    "city_clusters": "city_cluster_ids",
    "corridors": "corridor_ids",
}

FORMATS = ("arrow", "pandas", "numpy")


def _as_f64(values: Any, name: str) -> np.ndarray:
    """A contiguous float64 numpy array of ``values`` (nulls become NaN)."""
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        try:  # pandas
            values = values.to_numpy(dtype="float64", na_value=np.nan)
        except TypeError:  # pyarrow Array / ChunkedArray
            values = values.to_numpy(zero_copy_only=False)
    arr = np.ascontiguousarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


class Atlas:
    """A dataset: the embedded Hubei one (``Atlas()``) or a directory with the
    layout of liuyu's ``data/`` (``Atlas(path)``, fully validated at load)."""

    def __init__(self, path: Optional[str] = None):
        self._native = _liuyu.Atlas(None if path is None else str(path))
        self._layers = self._native.layers()

    @property
    def version(self) -> str:
        """Content hash of the dataset (``data_version`` in HTTP answers)."""
        return self._native.version

    @property
    def dataset(self) -> str:
        """Dataset name from its manifest."""
        return self._native.dataset

    def layers(self) -> dict:
        """Unit ids of every layer, by layer id, in lookup order."""
        return {name: list(ids) for name, _, ids in self._layers}

    def locate_one(self, lon: float, lat: float, crs: str = "CRS84") -> dict:
        """The full answer for one point (names, provenance, notes), as
        ``liuyu locate`` prints it."""
        import json

        return json.loads(self._native.locate_one_json(float(lon), float(lat), crs))

    def locate(self, lon: Any, lat: Any, crs: str = "CRS84", *,
               format: str = "arrow", threads: Optional[int] = None):
        """Every layer's unit for each point; see the module documentation.

        ``format``: ``"arrow"`` (a pyarrow.Table, dictionary-encoded string
        columns), ``"pandas"`` (a DataFrame of categoricals) or ``"numpy"``
        (a dict of numpy object arrays, None for null). ``threads``: worker
        threads, all cores by default.
        """
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
        x, y = _as_f64(lon, "lon"), _as_f64(lat, "lat")
        if x.shape != y.shape:
            raise ValueError(f"lon and lat differ in length: {len(x)} and {len(y)}")
        codes, dicts, on_boundary, err_rows, err_msgs = self._native._locate(
            x, y, crs, 0 if threads is None else int(threads))
        names = [COLUMNS.get(name, name) for name, _, _ in self._layers]
        return _build(format, names, codes, dicts, on_boundary, err_rows, err_msgs)


def _build(format, names, codes, dicts, on_boundary, err_rows, err_msgs):
    n = len(on_boundary)
    if format == "arrow":
        import pyarrow as pa

        cols = {name: _dictionary_column(pa, c, d) for name, c, d in zip(names, codes, dicts)}
        cols["on_boundary"] = pa.array(on_boundary)
        cols["error"] = _error_column(pa, n, err_rows, err_msgs)
        return pa.table(cols)
    if format == "pandas":
        import pandas as pd

        cols = {name: pd.Categorical.from_codes(c, categories=pd.Index(d, dtype=object))
                for name, c, d in zip(names, codes, dicts)}
        cols["on_boundary"] = on_boundary
        err = np.full(n, None, dtype=object)
        err[err_rows] = err_msgs
        cols["error"] = err
        return pd.DataFrame(cols)
    out = {}
    for name, c, d in zip(names, codes, dicts):
        table = np.empty(len(d) + 1, dtype=object)
        table[:-1] = d
        out[name] = table[c]  # code -1 picks the trailing None
    out["on_boundary"] = on_boundary
    err = np.full(n, None, dtype=object)
    err[err_rows] = err_msgs
    out["error"] = err
    return out


def _validity(pa, valid: np.ndarray):
    """An Arrow validity bitmap (LSB first) and null count, or None when all valid."""
    nulls = int(len(valid) - np.count_nonzero(valid))
    if nulls == 0:
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), nulls


def _dictionary_column(pa, codes: np.ndarray, dictionary):
    """A dictionary-encoded string column over the native codes (-1: null).

    The codes are used in place (no copy) and the bitmap is packed by numpy:
    building the column costs about a millisecond per million points, where
    ``pa.array(codes, mask=...)`` and ``DictionaryArray.from_arrays`` took
    longer than the lookup itself."""
    validity, nulls = _validity(pa, codes >= 0)
    return pa.DictionaryArray.from_buffers(
        pa.dictionary(pa.int32(), pa.string()), len(codes),
        [validity, pa.py_buffer(codes)], pa.array(dictionary, type=pa.string()),
        null_count=nulls)


def _error_column(pa, n: int, err_rows: np.ndarray, err_msgs):
    """The ``error`` column: null except at ``err_rows``, built from offsets."""
    if len(err_rows) == 0:
        return pa.nulls(n, type=pa.string())
    order = np.argsort(err_rows, kind="stable")
    rows = np.asarray(err_rows)[order]
    encoded = [err_msgs[k].encode("utf-8") for k in order]
    ends = np.cumsum([len(e) for e in encoded], dtype=np.int64)
    if ends[-1] >= 2**31:
        raise ValueError("error messages exceed 2 GiB")
    # offsets[i + 1] = bytes of the messages of rows <= i.
    offsets = np.zeros(n + 1, dtype=np.int32)
    offsets[rows + 1] = ends
    np.maximum.accumulate(offsets, out=offsets)
    valid = np.zeros(n, dtype=bool)
    valid[rows] = True
    validity, nulls = _validity(pa, valid)
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(offsets),
                                                 pa.py_buffer(b"".join(encoded))],
                                 null_count=nulls)


_default: Optional[Atlas] = None
_default_lock = threading.Lock()


def _embedded() -> Atlas:
    global _default
    with _default_lock:
        if _default is None:
            _default = Atlas()
        return _default


def locate(lon: Any, lat: Any, crs: str = "CRS84", *, format: str = "arrow",
           threads: Optional[int] = None, atlas: Optional[Atlas] = None):
    """Every layer's unit for each point, on the embedded dataset unless
    ``atlas`` is given; see the module documentation and ``Atlas.locate``."""
    return (atlas or _embedded()).locate(lon, lat, crs, format=format, threads=threads)
