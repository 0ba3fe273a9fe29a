"""Served label glyphs against FreeType (run by .ci/checks/50-maps.sh).

For every character of the prefecture, county, zone, river and lake names, the
glyph the server sends (/fonts/Noto Sans SC Regular/{range}.pbf, decoded with the
`protobuf` wire reader below, not our encoder) must match FreeType's own
rendering of the same font at the same size (24 px em, unhinted, freetype-py's
bundled FreeType): the signed distance field's inside (value >= 192 at pixel
centres) against FreeType's coverage >= 50 %, intersection over union >= 0.80,
left/top metrics within 1 px, advance equal.

Usage: python3 glyphs_check.py BASE_URL FONT.ttf DATA_DIR
"""
import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import freetype

base, font_path, data = sys.argv[1], sys.argv[2], Path(sys.argv[3])
STACK = "Noto Sans SC Regular"


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        if c < 0x80:
            return v, i
        s += 7


def fields(b):
    i, out = 0, []
    while i < len(b):
        k, i = varint(b, i)
        if k & 7 == 0:
            v, i = varint(b, i)
        else:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        out.append((k >> 3, v))
    return out


def glyphs_of(first):
    url = f"{base}/fonts/{urllib.parse.quote(STACK)}/{first}-{first + 255}.pbf"
    body = urllib.request.urlopen(url).read()
    out = {}
    for f, stack in fields(body):
        for sf, g in fields(stack):
            if sf != 3:
                continue
            d = dict(fields(g))
            zz = lambda v: (v >> 1) ^ -(v & 1)
            out[d[1]] = {"bitmap": d.get(2, b""), "w": d[3], "h": d[4], "left": zz(d[5]), "top": zz(d[6]), "adv": d[7]}
    return out


names = set()
for layer in ["prefectures", "counties", "zones"]:
    for f in json.load(open(data / "layers" / f"{layer}.geojson"))["features"]:
        names.add(f["properties"]["name"])
for f in json.load(open(data / "rivers" / "rivers.geojson"))["features"]:
    names.add(f["properties"].get("river_name") or "")
for f in json.load(open(data / "rivers" / "lakes.geojson"))["features"]:
    names.add(f["properties"].get("name") or "")
chars = sorted({c for n in names for c in n if ord(c) > 0x2000})

face = freetype.Face(font_path)
face.set_char_size(24 * 64, 0, 72, 72)
ranges, worst, failures = {}, 1.0, []
for c in chars:
    cp = ord(c)
    first = cp & ~255
    if first not in ranges:
        ranges[first] = glyphs_of(first)
    g = ranges[first].get(cp)
    if g is None:
        failures.append(f"{c}: not served")
        continue
    face.load_char(c, freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_RENDER)
    fb = face.glyph.bitmap
    ft = {(face.glyph.bitmap_left + x, face.glyph.bitmap_top - y)
          for y in range(fb.rows) for x in range(fb.width) if fb.buffer[y * fb.pitch + x] >= 128}
    bw = g["w"] + 6
    ours = {(g["left"] - 3 + x, g["top"] + 25 + 3 - y)
            for y in range(g["h"] + 6) for x in range(bw) if g["bitmap"][y * bw + x] >= 192}
    iou = len(ft & ours) / max(1, len(ft | ours))
    worst = min(worst, iou)
    adv = round(face.glyph.advance.x / 64)
    if iou < 0.80 or abs(g["left"] - face.glyph.bitmap_left) > 1 or abs(g["top"] + 25 - face.glyph.bitmap_top) > 1 or g["adv"] != adv:
        failures.append(f"{c}: IoU {iou:.2f}, left {g['left']} vs {face.glyph.bitmap_left}, "
                        f"top {g['top'] + 25} vs {face.glyph.bitmap_top}, advance {g['adv']} vs {adv}")
ok = not failures
print(f"{'ok  ' if ok else 'FAIL'} {len(chars)} name characters in {len(ranges)} served ranges match FreeType's rendering "
      f"of the font (worst IoU {worst:.3f}, metrics within 1 px) {failures[:5]}")
sys.exit(0 if ok else 1)
