"""Independent client check of the register API (run by 90-register.sh).

Talks to a running `liuyu serve --state DIR` (or `--database postgres://...`)
at $LIUYU_URL with Python's standard HTTP client, using tokens made with
`liuyu token create` ($LIUYU_OFFICE_TOKEN for 420700, $LIUYU_OTHER_TOKEN for
421100, $LIUYU_READER_TOKEN for 420700), and validates every answer against
the schema /openapi.json declares for that path, method and status (OpenAPI
3.1 schemas are JSON Schema 2020-12: openapi-schema-validator). With
$LIUYU_URL_NOREG (a server without a register) it also checks the 501s.
"""
import json
import os
import urllib.error
import urllib.request

from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

BASE = os.environ["LIUYU_URL"]
OFFICE = os.environ["LIUYU_OFFICE_TOKEN"]
OTHER = os.environ["LIUYU_OTHER_TOKEN"]
READER = os.environ["LIUYU_READER_TOKEN"]


def call(method, path, body=None, token=None, headers=None, base=BASE, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None and raw is None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


status, _, raw = call("GET", "/openapi.json")
assert status == 200, status
spec = json.loads(raw)
validate(spec)


def template_of(path):
    if path in spec["paths"]:
        return path
    parts = path.strip("/").split("/")
    for t in spec["paths"]:
        tp = t.strip("/").split("/")
        if len(tp) == len(parts) and all(a == b or (a.startswith("{") and a.endswith("}")) for a, b in zip(tp, parts)):
            return t
    raise AssertionError(f"{path} is not documented in openapi.json")


seen = set()


def check(method, path, expect, body=None, token=OFFICE, headers=None, base=BASE, raw=None):
    status, hdrs, data = call(method, path, body, token, headers, base, raw)
    assert status == expect, f"{method} {path}: {status} (expected {expect}): {data[:300]!r}"
    t = template_of(path.split("?")[0])
    op = spec["paths"][t][method.lower()]
    resp = op["responses"].get(str(status))
    assert resp is not None, f"{method} {t}: status {status} not documented"
    if "$ref" in resp:
        resp = spec["components"]["responses"][resp["$ref"].split("/")[-1]]
    seen.add((method, t, status))
    if status == 304:
        return None, hdrs
    media = hdrs.get("content-type", "").split(";")[0].strip()
    assert media in resp["content"], f"{method} {t} {status}: {media} not documented"
    schema = dict(resp["content"][media]["schema"])
    schema["components"] = spec["components"]
    doc = json.loads(data)
    OAS31Validator(schema).validate(doc)
    if status >= 400:
        assert doc["status"] == status, doc
    return doc, hdrs


me, _ = check("GET", "/v1/register/me", 200)
assert me["jurisdiction"]["adcode"] == "420700", me
check("GET", "/v1/register/me", 401, token=None)
check("GET", "/v1/register/me", 401, token="liuyu_" + "0" * 64)

# Filings.
filing = {"obligation": "prefecture_annual_report", "year": 2025, "body": {"adcode": "420700", "id": "government"},
          "filed_on": "2026-01-20", "document_ref": "鄂州〔2026〕1号", "public_url": "https://example.org/r.pdf"}
f, hdrs = check("POST", "/v1/filings", 201, filing)
assert hdrs["location"] == f"/v1/filings/{f['id']}"
check("POST", "/v1/filings", 409, filing)
check("POST", "/v1/filings", 400, dict(filing, year="x"))
check("POST", "/v1/filings", 403, dict(filing, body={"adcode": "421100", "id": "government"}))
check("POST", "/v1/filings", 403, filing, token=READER)
check("POST", "/v1/filings", 415, raw=b"x", headers={"Content-Type": "text/plain"})
check("POST", "/v1/filings", 413, raw=json.dumps({"pad": "x" * (1 << 20)}).encode(), headers={"Content-Type": "application/json"})
check("GET", "/v1/filings?year=2025", 200)
check("GET", "/v1/filings?jurisdiction=421100", 403)
check("GET", "/v1/filings?year=x", 400)
check("GET", f"/v1/filings/{f['id']}", 200, token=READER)
check("GET", f"/v1/filings/{f['id']}", 404, token=OTHER)

# The obligations answer with the filing records (per body), as the office and without a token.
ob, _ = check("GET", "/v1/obligations?prefecture=420700&date=2026-02-01", 200)
lead = next(o for o in ob["obligations"] if o["id"] == "prefecture_annual_report")
by_body = {r["filing"]["body"]["id"]: r["filing"] for r in lead["reports"] if "filing" in r}
assert by_body["government"]["status"] == "filed" and by_body["government"]["filing_id"] == f["id"], by_body
assert by_body["party_committee"]["status"] == "overdue", by_body
assert (lead["schedule"]["status"], lead["schedule"]["filed"]) == ("overdue", "no"), lead["schedule"]
anon, _ = check("GET", "/v1/obligations?prefecture=420700&date=2026-02-01", 200, token=None)
lead = next(o for o in anon["obligations"] if o["id"] == "prefecture_annual_report")
assert (lead["schedule"]["status"], lead["schedule"]["filed"]) == ("deadline_passed", "unknown"), lead["schedule"]
assert all("filing" not in r for r in lead["reports"])
check("GET", "/v1/obligations?date=2026-02-01", 401, token="liuyu_" + "0" * 64)

# Cases.
new = {"title": "长江 鄂州—黄冈", "description": "test", "matter": "water", "places": ["420700", "421100"]}
c, hdrs = check("POST", "/v1/cases", 201, new, headers={"Idempotency-Key": "ci-1"})
assert hdrs["etag"] == '"v1"' and hdrs["location"] == f"/v1/cases/{c['id']}"
again, hdrs = check("POST", "/v1/cases", 201, new, headers={"Idempotency-Key": "ci-1"})
assert again["id"] == c["id"] and hdrs.get("idempotent-replayed") == "true"
check("POST", "/v1/cases", 422, dict(new, title="other"), headers={"Idempotency-Key": "ci-1"})
check("POST", "/v1/cases", 422, dict(new, places=None, footprint={"type": "Point", "coordinates": [116.39, 39.9]}))
check("POST", "/v1/cases", 400, {"title": "t", "description": "d", "matter": "water"})
check("POST", "/v1/cases", 403, new, token=READER)
check("POST", "/v1/cases", 403, dict(new, places=["420100"]))
check("POST", "/v1/cases", 401, new, token=None)
uri = f"/v1/cases/{c['id']}"
check("GET", uri, 200, token=OTHER)
check("GET", uri, 304, headers={"If-None-Match": '"v1"'})
check("GET", "/v1/cases/case_0000000000000000", 404)
check("PATCH", uri, 428, {"status": "coordinating", "note": "n"})
check("PATCH", uri, 409, {"status": "resolved", "note": "n"}, headers={"If-Match": '"v1"'})
check("PATCH", uri, 400, {"status": "nope", "note": "n"}, headers={"If-Match": '"v1"'})
check("PATCH", uri, 403, {"status": "coordinating", "note": "n"}, token=READER, headers={"If-Match": '"v1"'})
check("PATCH", uri, 415, raw=b"x", headers={"If-Match": '"v1"', "Content-Type": "text/plain"})
after, hdrs = check("PATCH", uri, 200, {"status": "coordinating", "note": "鄂州 takes it up"}, headers={"If-Match": '"v1"'})
assert after["version"] == 2 and hdrs["etag"] == '"v2"'
check("PATCH", uri, 412, {"status": "escalated", "note": "黄冈"}, token=OTHER, headers={"If-Match": '"v1"'})
local, _ = check("POST", "/v1/cases", 201, dict(new, places=["420702", "420704"], matter="noise"))
check("PATCH", f"/v1/cases/{local['id']}", 422, {"status": "referred_for_special_inspection", "note": "n"}, headers={"If-Match": '"v1"'})
ev, _ = check("GET", f"{uri}/events", 200)
assert [e["to"] for e in ev["events"]] == ["open", "coordinating"], ev
check("GET", "/v1/cases/case_0000000000000000/events", 404)
lst, _ = check("GET", "/v1/cases?status=open,coordinating&party=421100&limit=1", 200)
assert lst["next_cursor"] is None or isinstance(lst["next_cursor"], str)
check("GET", "/v1/cases?jurisdiction=421100", 200, token=OTHER)
check("GET", "/v1/cases?jurisdiction=420100", 403)
check("GET", "/v1/cases?limit=0", 400)

if os.environ.get("LIUYU_URL_NOREG"):
    for m, p in [("GET", "/v1/register/me"), ("GET", "/v1/cases"), ("POST", "/v1/filings")]:
        check(m, p, 501, base=os.environ["LIUYU_URL_NOREG"], body={} if m == "POST" else None)

print(f"register: {len(seen)} (route, status) pairs valid against openapi.json")
