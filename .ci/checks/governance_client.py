"""Independent client check of the governance API (run by 30-governance.sh).

Starts nothing itself: talks to a running `liuyu serve` at $LIUYU_URL with the
standard library's HTTP client, validates /openapi.json with
openapi-spec-validator, and validates every response body against the schema
the document declares for that path, method and status (OpenAPI 3.1 schemas
are JSON Schema 2020-12, checked with openapi-schema-validator).
"""
import json
import os
import sys
import urllib.error
import urllib.request

from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

BASE = os.environ["LIUYU_URL"]


def call(method, path, body=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


status, ctype, raw = call("GET", "/openapi.json")
assert status == 200, status
spec = json.loads(raw)
validate(spec)
print("openapi.json: valid OpenAPI", spec["openapi"])



def template_of(path):
    """The documented path template matching a concrete path (`/v1/rivers/hanjiang` -> `/v1/rivers/{id}`)."""
    if path in spec["paths"]:
        return path
    parts = path.strip("/").split("/")
    for t in spec["paths"]:
        tp = t.strip("/").split("/")
        if len(tp) == len(parts) and all(a == b or (a.startswith("{") and a.endswith("}")) for a, b in zip(tp, parts)):
            return t
    raise AssertionError(f"{path} is not documented in openapi.json")


def schema_for(path, method, status, ctype):
    op = spec["paths"][template_of(path)][method.lower()]
    resp = op["responses"].get(str(status))
    assert resp is not None, f"{method} {path}: status {status} not documented"
    if "$ref" in resp:
        resp = spec["components"]["responses"][resp["$ref"].split("/")[-1]]
    media = ctype.split(";")[0].strip()
    content = resp["content"]
    assert media in content, f"{method} {path} {status}: media type {media} not documented ({list(content)})"
    return content[media]["schema"]


def check(method, path, body=None, expect=200):
    status, ctype, raw = call(method, path, body)
    assert status == expect, f"{method} {path}: {status} (expected {expect}): {raw[:300]!r}"
    doc = json.loads(raw)
    schema = schema_for(path.split("?")[0], method, status, ctype)
    # Resolve "#/components/..." references against the whole document.
    wrapped = dict(schema)
    wrapped["components"] = spec["components"]
    OAS31Validator(wrapped).validate(doc)
    return doc


n = 0
for path in [
    "/health",
    "/ready",
    "/v1/locate?lon=114.2538&lat=30.6060",
    "/v1/profile?lon=114.2538&lat=30.6060&date=2027-01-10",
    "/v1/profile?lon=112.2&lat=31.0",
    "/v1/profile?lon=116.39&lat=39.9",
    "/v1/obligations?date=2027-01-10",
    "/v1/obligations?date=2027-02-05&prefecture=420700",
    "/v1/governance",
    "/v1/locate?crs=EPSG:4547&x=524408.5&y=3386613.2",
    "/v1/profile?crs=gcj02&lon=114.2591&lat=30.6037&date=2027-01-10",
    "/v1/profile?crs=EPSG:4547&x=524408.5&y=3386613.2",
]:
    check("GET", path)
    n += 1
p = check("GET", "/v1/profile?crs=EPSG:4547&x=524408.5&y=3386613.2")
assert p["crs"]["id"] == "EPSG:4547" and p["county"]["adcode"] == "420103", p["crs"]
a = check("POST", "/v1/issues/analyze", {"matter": "water", "places": ["420700", "421100"]})
assert a["coordinating_body"]["level"] == "metro", a["coordinating_body"]
a = check("POST", "/v1/issues/analyze",
          {"matter": "air", "footprint": {"type": "LineString", "coordinates": [[110.79, 32.63], [112.13, 32.06]]}})
assert a["coordinating_body"]["level"] == "province", a["coordinating_body"]
a = check("POST", "/v1/issues/analyze?crs=EPSG:3857",
          {"matter": "air", "footprint": {"type": "LineString",
                                          "coordinates": [[12333086.4, 3846295.0], [12482254.5, 3771189.1]]}})
assert a["coordinating_body"]["level"] == "province" and a["crs"]["id"] == "EPSG:3857", a["crs"]
a = check("POST", "/v1/issues/analyze", {"matter": "air", "crs": "EPSG:3857", "footprint": {
    "type": "LineString", "coordinates": [[12333086.4, 3846295.0], [12482254.5, 3771189.1]]}})
assert a["crs"]["id"] == "EPSG:3857", a["crs"]
n += 4
# Issue 11: names, places search, the whole footprint on the river network,
# the neighbouring provinces, metro participants, deadline_passed.
from urllib.parse import quote
a = check("POST", "/v1/issues/analyze", {"matter": "秸秆焚烧", "places": ["武汉市"]})
assert a["matter"]["id"] == "straw_burning", a["matter"]
a = check("POST", "/v1/issues/analyze", {"matter": "water", "places": ["鄂州", "黄冈市"]})
assert [p["name"] for p in a["coordinating_body"]["participants"]] == ["鄂州市", "黄冈市"], a["coordinating_body"]
a = check("POST", "/v1/issues/analyze", {"matter": "water", "footprint": {"type": "Polygon", "coordinates": [
    [[111.2, 32.55], [111.6, 32.55], [111.6, 32.85], [111.2, 32.85], [111.2, 32.55]]]}})
assert any(o["adcode"] == "410000" for o in a["other_provinces"]), a["other_provinces"]
assert any(o["adcode"] == "610000" for o in a["water_context"]["upstream_outside"]), a["water_context"]
a = check("POST", "/v1/issues/analyze", {"matter": "noise", "places": ["江夏区", "蔡甸区"]})
assert a["special_inspection_eligible"] is False, a["special_inspection"]
o = check("GET", "/v1/obligations?date=2027-12-31&prefecture=" + quote("鄂州"))
assert o["obligations"][0]["schedule"]["status"] == "deadline_passed", o["obligations"][0]["schedule"]
p = check("GET", "/v1/profile?lon=110.45&lat=31.6&date=2027-01-10")
assert p["drainage"]["agrees_with_zone"] is False, p["drainage"]
loc = check("GET", "/v1/locate?lon=112.94&lat=28.23")
assert loc["neighbouring_province"]["adcode"] == "430000", loc
pl = check("GET", "/v1/places?q=" + quote("武汉") + "&limit=5")
assert pl["places"][0]["id"] == "420100", pl
check("GET", "/v1/places?q=" + quote("汉江"))
nav = check("GET", "/v1/navigate/DD?lon=112.24&lat=30.30&river=changjiang")
assert any(x["into"] and x["into"]["adcode"] == "430000" for x in nav["leaves_hubei"]), nav["leaves_hubei"]
n += 12
for path in ["/v1/places?q=", "/v1/places?q=x&limit=0", "/v1/obligations?prefecture=" + quote("火星")]:
    p = check("GET", path, expect=400)
    assert p["status"] == 400
    n += 1
p = check("POST", "/v1/issues/analyze", {"matter": "water", "places": ["武"]}, expect=400)
assert p["candidates"], p
p = check("POST", "/v1/issues/analyze", {"matter": "扬尘", "places": ["420100"]}, expect=400)
assert {c["id"] for c in p["candidates"]} == {"construction_dust", "transport_dust"}, p
n += 2
for path, expect in [("/v1/obligations?date=2027-02-30", 400), ("/v1/profile?lon=x&lat=1", 400),
                     ("/v1/profile?crs=EPSG:1&x=1&y=2", 400)]:
    p = check("GET", path, expect=expect)
    assert p["status"] == expect
    n += 1
for body, expect in [
    (b"not json", 400),
    ({"matter": "water", "footprint": {"type": "Polygon", "coordinates": [[[114, 30], [114.1, 30], [114.1, 30.1], [114, 30.2]]]}}, 400),
    ({"matter": "water", "footprint": {"type": "Point", "coordinates": [116.39, 39.9]}}, 422),
    (json.dumps({"matter": "air", "pad": "x" * (1 << 20)}).encode(), 413),
    ({"matter": "air", "crs": "EPSG:1", "footprint": {"type": "Point", "coordinates": [1, 2]}}, 400),
]:
    p = check("POST", "/v1/issues/analyze", body, expect=expect)
    assert p["status"] == expect
    n += 1
# Rivers, lakes, navigation and exports (issue 4 and 6 routes).
X4547, Y4547 = 524345.603, 3383994.64  # the 汉江 mouth in EPSG:4547
for path in [
    "/v1/rivers",
    "/v1/rivers/hanjiang",
    "/v1/rivers/hanjiang?crs=EPSG:4547",
    "/v1/rivers/changjiang/banks",
    "/v1/rivers/changjiang/banks?crs=EPSG:3857",
    "/v1/lakes",
    "/v1/lakes?crs=gcj02",
    "/v1/export/zones.geojson",
    "/v1/export/counties.geojson?crs=EPSG:4547",
] + [f"/v1/navigate/{m}?lon=114.2538&lat=30.576&distance_km=60" for m in ("UM", "UT", "DM", "DD")] + [
    f"/v1/navigate/DM?crs=EPSG:4547&x={X4547}&y={Y4547}&distance_km=30",
    "/v1/navigate/DM?lon=112.15&lat=32.04",  # 汉江 at 襄阳, the whole way down
]:
    check("GET", path)
    n += 1
nav = check("GET", f"/v1/navigate/DM?crs=EPSG:4547&x={X4547}&y={Y4547}&distance_km=30")
assert nav["crs"]["id"] == "EPSG:4547" and "x" in nav["snapped"], nav["crs"]
for path, expect in [("/v1/rivers/nope", 404), ("/v1/navigate/XX?lon=114&lat=30", 400),
                     ("/v1/navigate/DM?lon=114.2538&lat=30.576&distance_km=-1", 400),
                     ("/v1/navigate/DM?lon=116.39&lat=39.9", 422), ("/v1/lakes?crs=EPSG:1", 400),
                     ("/v1/export/nope.fgb", 404), ("/v1/export/zones.shpx", 404)]:
    p = check("GET", path, expect=expect)
    assert p["status"] == expect
    n += 1
print(f"{n} responses valid against openapi.json")
