#!/usr/bin/env python3
"""Map clients no one here wrote, against a running `liuyu serve` (run by
.ci/checks/50-maps.sh):

  * GDAL's OAPIF driver (ogrinfo / ogr2ogr) lists the collections and reads all
    103 counties with their properties and geometry, compared with data/;
  * OWSLib reads items with a bbox; the truth is GDAL's spatial filter on data/;
  * OGC API Part 2: crs / bbox-crs / Content-Crs for EPSG:4326, 4490, 3857;
  * tiles decode with mapbox-vector-tile at z5-z10 with the expected layers and
    the right county under known points; ETag / 304 / gzip / Cache-Control;
    TileJSON honours X-Forwarded-Host/-Proto;
  * the PMTiles archive read by PyPI `pmtiles` holds the same tiles as the server
    (live encoding, and the server started with --pmtiles);
  * /ogc/api (the landing page's service-desc) is valid OpenAPI 3.0
    (openapi-spec-validator) and live /ogc responses validate against the
    schemas it declares (openapi-schema-validator).

Usage: maps_check.py LIVE_URL PMTILES_SERVER_URL ARCHIVE DATA_DIR TRUTH_OUT
"""
import gzip
import json
import subprocess
import sys
import urllib.error
import urllib.request

import mapbox_vector_tile
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_spec
from owslib.ogcapi.features import Features
from pmtiles.reader import MmapSource, Reader, all_tiles
from shapely.geometry import Point, shape

LIVE, PMSERVER, ARCHIVE, DATA, TRUTH_OUT = sys.argv[1:6]
FAILED = []
PASSED = 0


def check(ok, what):
    global PASSED
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if ok:
        PASSED += 1
    else:
        FAILED.append(what)


def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def ogr_json(src, layer, *extra):
    args = ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", src] + ([layer] if layer else []) + list(extra)
    out = subprocess.run(args,
                         check=True, capture_output=True, timeout=300).stdout
    return json.loads(out)


def data_layer(name):
    with open(f"{DATA}/layers/{name}.geojson", encoding="utf-8") as f:
        return json.load(f)


def flat(coords):
    if isinstance(coords[0], (int, float)):
        return [coords]
    return [c for part in coords for c in flat(part)]


# ---------------------------------------------------------------- GDAL OAPIF
listing = subprocess.run(["ogrinfo", "-ro", "-q", f"OAPIF:{LIVE}/ogc"], check=True,
                         capture_output=True, text=True, timeout=120).stdout
wanted = ["basins", "zones", "prefectures", "counties", "metro_areas", "city_clusters", "corridors", "rivers", "lakes"]
listed = [line.split(":", 1)[1].split("(")[0].strip() for line in listing.splitlines() if ":" in line]
check(all(w in listed for w in wanted), f"ogrinfo OAPIF lists the collections: {listed}")

truth_counties = {f["properties"]["adcode"]: f for f in data_layer("counties")["features"]}
got = ogr_json(f"OAPIF:{LIVE}/ogc", "counties")["features"]
check(len(got) == 103 and len(truth_counties) == 103, f"GDAL read {len(got)} counties through OAPIF paging (data/ has {len(truth_counties)})")
prop_ok = geom_ok = 0
for f in got:
    p = f["properties"]
    t = truth_counties.get(p.get("adcode"))
    if t is None:
        continue
    tp = t["properties"]
    if all(p.get(k) == tp.get(k) for k in ("name", "prefecture", "zone", "basin")) and p.get("provenance") == tp.get("provenance", "official"):
        prop_ok += 1
    a, b = flat(f["geometry"]["coordinates"]), flat(t["geometry"]["coordinates"])
    if len(a) == len(b) and all(abs(x[0] - y[0]) < 1e-7 and abs(x[1] - y[1]) < 1e-7 for x, y in zip(a, b)):
        geom_ok += 1
check(prop_ok == 103, f"county properties (name, prefecture, zone, basin, provenance) match data/: {prop_ok}/103")
check(geom_ok == 103, f"county geometries match data/ vertex for vertex (1e-7 deg): {geom_ok}/103")
zones = ogr_json(f"OAPIF:{LIVE}/ogc", "zones")["features"]
check(sorted(str(z["properties"].get("id", z.get("id"))) for z in zones) == sorted(f["properties"]["id"] for f in data_layer("zones")["features"])
      and all(z["properties"]["provenance"] == "reconstructed" for z in zones),
      f"GDAL read {len(zones)} zones, all provenance=reconstructed")



def water_file(name):
    with open(f"{DATA}/rivers/{name}.geojson", encoding="utf-8") as f:
        return json.load(f)


# Rivers (reaches, oriented downstream) and lakes: every feature, ids, the
# river each reach belongs to, provenance, and vertices equal to data/rivers/.
for name, status in [("rivers", "reconstructed"), ("lakes", "secondary")]:
    truth = {str(f["id"]): f for f in water_file(name)["features"]}
    got = ogr_json(f"OAPIF:{LIVE}/ogc", name)["features"]
    ids = sorted(str(f["properties"].get("id") if name == "rivers" else f.get("id", f["properties"].get("gml_id"))) for f in got)
    same_geom = 0
    for f in got:
        fid = str(f["properties"]["id"]) if name == "rivers" else None
        t = truth.get(fid) if fid else next((v for v in truth.values() if v["properties"].get("gshhs_id") == f["properties"].get("gshhs_id")), None)
        if t is None:
            continue
        a, b = flat(f["geometry"]["coordinates"]), flat(t["geometry"]["coordinates"])
        if len(a) == len(b) and all(abs(x[0] - y[0]) < 1e-7 and abs(x[1] - y[1]) < 1e-7 for x, y in zip(a, b)) \
                and f["properties"].get("provenance") == status and f["properties"].get("name" if name == "lakes" else "river") == t["properties"].get("name" if name == "lakes" else "river"):
            same_geom += 1
    check(len(got) == len(truth) and same_geom == len(truth),
          f"GDAL read {len(got)} {name} through OAPIF (data/rivers has {len(truth)}); {same_geom} equal vertex for vertex with provenance={status}")
han = [f for f in water_file("rivers")["features"] if f["properties"]["river"] == "hanjiang"]
s, h, b = get(f"{LIVE}/ogc/collections/rivers/items?river=hanjiang&limit=1000")
check(s == 200 and sorted(f["id"] for f in json.loads(b)["features"]) == sorted(f["id"] for f in han),
      f"property filter river=hanjiang returns the {len(han)} 汉江 reaches")

# ---------------------------------------------------------------- API definition
landing = json.loads(get(f"{LIVE}/ogc")[2])
desc = [l for l in landing["links"] if l["rel"] == "service-desc"]
check(len(desc) == 1 and desc[0]["type"].startswith("application/vnd.oai.openapi+json"), "landing page links the API definition (service-desc)")
s, h, b = get(desc[0]["href"])
api = json.loads(b)
try:
    validate_spec(api)
    check(s == 200 and api["openapi"].startswith("3.0"), f"/ogc/api is valid OpenAPI {api['openapi']} (openapi-spec-validator)")
except Exception as e:  # noqa: BLE001 - report any validation error as a failed check
    check(False, f"/ogc/api is valid OpenAPI: {e}")
check("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in json.loads(get(f"{LIVE}/ogc/conformance")[2])["conformsTo"],
      "conformance declares oas30")
check(set(api["paths"]["/collections/{collectionId}"]["get"]["parameters"][0]["schema"]["enum"]) >= set(wanted),
      "the API definition's collectionId enum lists every collection")


def api_validate(path, template, status=200):
    st, hd, raw = get(f"{LIVE}/ogc{path}")
    resp = api["paths"][template]["get"]["responses"][str(st)]
    schema = dict(resp["content"][hd.get("Content-Type").split(";")[0]]["schema"])
    schema["components"] = api["components"]
    try:
        OAS30Validator(schema).validate(json.loads(raw))
        return st == status
    except Exception as e:  # noqa: BLE001
        print(f"     {path}: {e}"[:400])
        return False


cases = [("/", "/", 200), ("/conformance", "/conformance", 200), ("/collections", "/collections", 200),
         ("/collections/nope", "/collections/{collectionId}", 404),
         ("/collections/counties/items?limit=0", "/collections/{collectionId}/items", 400),
         ("/collections/counties/items/999999", "/collections/{collectionId}/items/{featureId}", 404)]
for cid in wanted:
    cases += [(f"/collections/{cid}", "/collections/{collectionId}", 200),
              (f"/collections/{cid}/items?limit=3", "/collections/{collectionId}/items", 200)]
cases += [("/collections/counties/items/420103", "/collections/{collectionId}/items/{featureId}", 200),
          ("/collections/rivers/items/e000?crs=EPSG:3857", "/collections/{collectionId}/items/{featureId}", 200)]
valid = sum(api_validate(*c) for c in cases)
check(valid == len(cases), f"live /ogc responses validate against /ogc/api's schemas: {valid}/{len(cases)}")

# ---------------------------------------------------------------- OWSLib + bbox
w = Features(f"{LIVE}/ogc")
check(set(wanted) <= {c["id"] for c in w.collections()["collections"]}, "OWSLib lists the collections")
for layer, bbox in [("counties", [113.5, 30.0, 114.5, 31.0]), ("zones", [110.0, 30.5, 111.0, 31.5]),
                    ("prefectures", [112.0, 29.5, 112.6, 30.2])]:
    items = w.collection_items(layer, bbox=bbox, limit=1000)
    ids = sorted(str(f["id"]) for f in items["features"])
    truth = ogr_json(f"{DATA}/layers/{layer}.geojson", "", "-spat", *map(str, bbox))["features"]
    key = "adcode" if layer in ("counties", "prefectures") else "id"
    tids = sorted(str(f["properties"].get(key, f.get("id"))) for f in truth)
    check(ids == tids and items["numberMatched"] == len(tids),
          f"OWSLib {layer} bbox={bbox}: {len(ids)} items = GDAL spatial filter on data/ ({len(tids)})")

# ---------------------------------------------------------------- Part 2 CRS
s, h, b = get(f"{LIVE}/ogc/collections/counties/items/420103?crs=http://www.opengis.net/def/crs/EPSG/0/4326")
g84 = json.loads(get(f"{LIVE}/ogc/collections/counties/items/420103")[2])
lonlat = g84["geometry"]["coordinates"][0][0][0]
latlon = json.loads(b)["geometry"]["coordinates"][0][0][0]
check(s == 200 and h.get("Content-Crs") == "<http://www.opengis.net/def/crs/EPSG/0/4326>"
      and latlon == [lonlat[1], lonlat[0]], "crs=EPSG:4326 swaps to lat/lon and sets Content-Crs")
s, h, b = get(f"{LIVE}/ogc/collections/counties/items/420103?crs=EPSG:3857")
xy = json.loads(b)["geometry"]["coordinates"][0][0][0]
# gdaltransform reads lon lat (traditional GIS order) on the command line.
subprocess_xy = subprocess.run(["gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:3857"],
                               input=f"{lonlat[0]} {lonlat[1]}\n", capture_output=True, text=True, check=True).stdout.split()[:2]
check(abs(xy[0] - float(subprocess_xy[0])) < 0.05 and abs(xy[1] - float(subprocess_xy[1])) < 0.05,
      f"crs=EPSG:3857 matches PROJ (gdaltransform): {xy} vs {subprocess_xy}")
ids84 = sorted(f["id"] for f in json.loads(get(f"{LIVE}/ogc/collections/counties/items?bbox=113.5,30.0,114.5,31.0&limit=1000")[2])["features"])
ids4490 = sorted(f["id"] for f in json.loads(get(f"{LIVE}/ogc/collections/counties/items?bbox=30.0,113.5,31.0,114.5&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4490&limit=1000")[2])["features"])
check(ids84 == ids4490 and ids84, f"bbox-crs=EPSG:4490 (lat/lon) selects the same {len(ids84)} counties as CRS84")
s, h, b = get(f"{LIVE}/ogc/collections/counties/items?crs=EPSG:9999")
check(s == 400 and h.get("Content-Type", "").startswith("application/problem+json"), "unsupported crs -> 400 problem+json")

# ---------------------------------------------------------------- tiles
POINTS = [(114.2538, 30.606), (109.4880, 30.2720), (112.1226, 32.0090), (110.7980, 32.6290)]
truth_points = []
for lon, lat in POINTS:
    c = ogr_json(f"{DATA}/layers/counties.geojson", "", "-spat", str(lon), str(lat), str(lon + 1e-6), str(lat + 1e-6))["features"]
    z = ogr_json(f"{DATA}/layers/zones.geojson", "", "-spat", str(lon), str(lat), str(lon + 1e-6), str(lat + 1e-6))["features"]
    c = [f for f in c if shape(f["geometry"]).contains(Point(lon, lat))]
    z = [f for f in z if shape(f["geometry"]).contains(Point(lon, lat))]
    pre = {f["properties"]["adcode"]: f["properties"]["name"] for f in data_layer("prefectures")["features"]}
    truth_points.append({"lon": lon, "lat": lat, "adcode": c[0]["properties"]["adcode"], "county": c[0]["properties"]["name"],
                         "prefecture": pre[c[0]["properties"]["prefecture"]], "zone": str(z[0]["properties"].get("id", z[0].get("id")))})
with open(TRUTH_OUT, "w", encoding="utf-8") as f:
    json.dump({"points": truth_points}, f, ensure_ascii=False)

import math


def tile_of(z, lon, lat):
    n = 2 ** z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(x), int(y), x - int(x), y - int(y)


expect_layers = {"zones", "basins", "counties", "prefectures", "province", "labels"}  # rivers/lakes: checked below
tile_checks = 0
for z in range(5, 11):
    for t in truth_points:
        x, y, fx, fy = tile_of(z, t["lon"], t["lat"])
        s, h, body = get(f"{LIVE}/tiles/hubei/{z}/{x}/{y}.mvt", {"Accept-Encoding": "gzip"})
        raw = gzip.decompress(body) if h.get("Content-Encoding") == "gzip" else body
        tile = mapbox_vector_tile.decode(raw, default_options={"y_coord_down": True})
        missing = expect_layers - set(tile)
        counties = tile.get("counties", {"features": [], "extent": 4096})
        ext = counties.get("extent", 4096)
        here = [f["properties"].get("adcode") for f in counties["features"]
                if shape(f["geometry"]).buffer(0).contains(Point(fx * ext, fy * ext))]
        ok = s == 200 and not missing and here == [t["adcode"]]
        tile_checks += ok
        if not ok:
            check(False, f"z{z}/{x}/{y}: layers missing {missing}, county under {t['county']} point decodes as {here}")
check(tile_checks == 6 * len(truth_points), f"mapbox-vector-tile decodes {tile_checks} tiles z5-z10 with layers {sorted(expect_layers)} and the right county under each known point")

# Rivers and lakes in the tiles: at z5-z10 the tile under a vertex of each
# named river holds a `rivers` feature of that river, and the tile under a
# lake's first vertex holds that lake.
water_ok = water_n = 0
for name, key in [("rivers", "river"), ("lakes", "gshhs_id")]:
    for f in water_file(name)["features"]:
        want = f["properties"].get(key)
        if not want:
            continue
        c = flat(f["geometry"]["coordinates"])
        lon, lat = c[len(c) // 2]
        for z in (5, 8, 10):
            x, y, _, _ = tile_of(z, lon, lat)
            s, h, body = get(f"{LIVE}/tiles/hubei/{z}/{x}/{y}.mvt", {"Accept-Encoding": "gzip"})
            raw = gzip.decompress(body) if h.get("Content-Encoding") == "gzip" else body
            tile = mapbox_vector_tile.decode(raw) if s == 200 else {}
            water_n += 1
            water_ok += any(g["properties"].get(key) == want for g in tile.get(name, {"features": []})["features"])
check(water_n > 100 and water_ok == water_n, f"mapbox-vector-tile finds the river / lake under each reach's and lake's vertex at z5, z8, z10: {water_ok}/{water_n}")

url = f"{LIVE}/tiles/hubei/7/104/53.mvt"
s, h, body = get(url, {"Accept-Encoding": "gzip"})
etag = h.get("ETag")
check(s == 200 and h.get("Content-Encoding") == "gzip" and h.get("Content-Type") == "application/vnd.mapbox-vector-tile"
      and "max-age" in h.get("Cache-Control", "") and etag, f"tile headers: gzip, MVT type, Cache-Control, ETag {etag}")
s2, h2, b2 = get(url, {"Accept-Encoding": "gzip", "If-None-Match": etag})
check(s2 == 304 and b2 == b"" and h2.get("ETag") == etag, "If-None-Match with the ETag -> 304, empty body")
s3, _, _ = get(url, {"If-None-Match": '"other"'})
check(s3 == 200, "If-None-Match with another ETag -> 200")

s, h, b = get(f"{LIVE}/tiles/hubei.json", {"X-Forwarded-Host": "maps.example.org", "X-Forwarded-Proto": "https"})
tj = json.loads(b)
check(tj["tilejson"] == "3.0.0" and tj["tiles"][0].startswith("https://maps.example.org/tiles/hubei/")
      and {v["id"] for v in tj["vector_layers"]} >= expect_layers and tj["maxzoom"] >= 10,
      f"TileJSON 3.0.0 honours X-Forwarded-Host/-Proto: {tj['tiles'][0]}")
s, h, b = get(f"{LIVE}/catalog")
check(s == 200 and "hubei" in json.loads(b)["tiles"], "/catalog lists the tile sources")

# ---------------------------------------------------------------- PMTiles
with open(ARCHIVE, "rb") as fh:
    reader = Reader(MmapSource(fh))
    header = reader.header()
    meta = reader.metadata()
    n = same_live = same_pm = 0
    for (z, x, y), data in all_tiles(reader.get_bytes):
        n += 1
        a = gzip.decompress(data)
        s, h, body = get(f"{LIVE}/tiles/hubei/{z}/{x}/{y}.mvt", {"Accept-Encoding": "gzip"})
        same_live += s == 200 and gzip.decompress(body) == a
        s, h, body = get(f"{PMSERVER}/tiles/hubei/{z}/{x}/{y}.mvt", {"Accept-Encoding": "gzip"})
        same_pm += s == 200 and gzip.decompress(body) == a
check(n > 200 and header["min_zoom"] == 0 and header["max_zoom"] == 10,
      f"PyPI pmtiles reads the archive: {n} tiles, zooms {header['min_zoom']}-{header['max_zoom']}, layers {[v['id'] for v in meta['vector_layers']]}")
check(same_live == n, f"archive tiles equal the server's live tiles: {same_live}/{n}")
check(same_pm == n, f"the server with --pmtiles serves the archive's tiles: {same_pm}/{n}")
live_version = json.loads(get(f"{LIVE}/catalog")[2])["data_version"]
check(meta.get("data_version") == live_version, f"archive data_version {meta.get('data_version')} = server's {live_version}")

print(f"{PASSED} passed, {len(FAILED)} failed")
sys.exit(1 if FAILED else 0)
