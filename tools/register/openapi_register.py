"""Adds (or refreshes) the register's paths and schemas in src/governance/openapi.json.

Run from the repository root: python3 tools/register/openapi_register.py
The document stays hand-maintained; this script only rewrites the register's
own entries (paths /v1/register/me, /v1/filings*, /v1/cases*; schemas named
below; the bearer security scheme) so they can be re-applied after a merge.
"""
import json

PATH = "src/governance/openapi.json"
P = {"$ref": "#/components/responses/Problem"}


def problem(desc):
    return {"description": desc, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def ok(desc, schema, headers=None):
    r = {"description": desc, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}
    if headers:
        r["headers"] = headers
    return r


COMMON = {
    "401": problem("No token, or a malformed, unknown or revoked one (`WWW-Authenticate: Bearer`)"),
    "403": problem("The token's role may not do this, or a filter names another jurisdiction"),
    "429": problem("Too many failed authentications from this address (`Retry-After`)"),
    "501": problem("This server runs without a register (no --state or --database)"),
    "503": problem("The register database is unavailable (`Retry-After`)"),
}
ETAG = {"ETag": {"description": "The case version, `\"v{version}\"`", "schema": {"type": "string"}}}
LOCATION = {"Location": {"description": "The new record", "schema": {"type": "string"}}}
SEC = [{"bearer": []}]


def op(summary, opid, desc, responses, params=None, body=None):
    o = {"summary": summary, "operationId": opid, "description": desc, "tags": ["register"], "security": SEC}
    if params:
        o["parameters"] = params
    if body:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    r = dict(responses)
    for k, v in COMMON.items():
        r.setdefault(k, v)
    o["responses"] = dict(sorted(r.items()))
    return o


def q(name, desc, schema, example=None):
    p = {"name": name, "in": "query", "required": False, "description": desc, "schema": schema}
    if example is not None:
        p["example"] = example
    return p


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
PAGING = [
    q("limit", "Records per page (1-500, default 50)", {"type": "integer", "minimum": 1, "maximum": 500}),
    q("cursor", "`next_cursor` of the previous page (opaque)", {"type": "string"}),
]
ADCODE = {"type": "string", "pattern": "^[0-9]{6}$"}

paths = {
    "/v1/register/me": {"get": op(
        "The caller's token: role and jurisdiction", "registerMe",
        "Who the bearer token says the caller is (never the secret).",
        {"200": ok("The token", "RegisterMe")})},
    "/v1/filings": {
        "post": op(
            "Record an annual report filing (十一, 十二)", "createFiling",
            "One filing per obligation, year and body. A department files only its own report; an office any body of its jurisdiction and below (二十); a reader none. `/v1/obligations` then reports the body as filed.",
            {"201": ok("The filing", "Filing", LOCATION), "400": P,
             "409": problem("This body has filed this report for that year already (`existing`)"),
             "413": problem("Body over 1 MiB"), "415": problem("The body is not application/json")},
            body="NewFiling"),
        "get": op(
            "Filings the caller may see, newest first", "listFilings",
            "An office or reader sees the filings of its jurisdiction and below; a department its own.",
            {"200": ok("A page of filings", "FilingList"), "400": P},
            params=[q("year", "Year reported on", {"type": "integer"}, 2026),
                    q("jurisdiction", "Bodies within this adcode (must overlap the token's jurisdiction)", ADCODE, "420700"),
                    q("obligation", "Obligation id", {"type": "string"})] + PAGING),
    },
    "/v1/filings/{id}": {"get": op(
        "One filing", "getFiling", "404 when it does not exist or lies outside the caller's scope.",
        {"200": ok("The filing", "Filing"), "404": P}, params=[ID])},
    "/v1/cases": {
        "post": op(
            "Open a cross-boundary case (十三, 十四, 十六)", "createCase",
            "Runs the issue analysis on the request (exactly as POST /v1/issues/analyze) and stores the request, the answer and its data_version; the parties are the analysis's participants. Only an office may create, and only a case with a place in its jurisdiction. `Idempotency-Key` makes a retry return the case the first request made (`Idempotent-Replayed: true`).",
            {"201": ok("The case", "Case", {**ETAG, **LOCATION}), "400": P,
             "413": problem("Body over 1 MiB or footprint over 100,000 vertices"),
             "415": problem("The body is not application/json"),
             "422": problem("Footprint outside Hubei or not overlaid, or an Idempotency-Key reused with another request")},
            params=[{"name": "Idempotency-Key", "in": "header", "required": False,
                     "description": "1-255 visible ASCII characters, per token", "schema": {"type": "string", "maxLength": 255}}],
            body="NewCase"),
        "get": op(
            "Cases the caller may see, newest first", "listCases",
            "An office or reader sees the cases with a place (party, county touched, coordinator) in its jurisdiction or below; a department the cases whose analysis names it at its place. Summaries: the full case (request, analysis) is at /v1/cases/{id}.",
            {"200": ok("A page of cases", "CaseList"), "400": P},
            params=[q("status", "Comma-separated statuses", {"type": "string"}, "open,coordinating"),
                    q("matter", "Matter id", {"type": "string"}, "water"),
                    q("jurisdiction", "Cases with a place within this adcode (must overlap the token's jurisdiction)", ADCODE, "420700"),
                    q("party", "Cases with this party", ADCODE, "421100"),
                    q("since", "Created on or after (YYYY-MM-DD, China time)", {"type": "string", "format": "date"}),
                    q("until", "Created on or before (YYYY-MM-DD, China time)", {"type": "string", "format": "date"})] + PAGING),
    },
    "/v1/cases/{id}": {
        "get": op(
            "One case, with its request and analysis", "getCase",
            "`ETag` is the case version; `If-None-Match` gives 304 when unchanged. 404 when it does not exist or lies outside the caller's scope.",
            {"200": ok("The case", "Case", ETAG), "304": {"description": "Not modified", "headers": ETAG}, "404": P},
            params=[ID, {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}]),
        "patch": op(
            "Change a case's status", "changeCase",
            "Offices only. `If-Match` must carry the ETag read last: a change made meanwhile by anyone gives 412 and nothing is written. Allowed moves: open → coordinating | escalated | referred_for_special_inspection; coordinating → escalated | referred_for_special_inspection | resolved; escalated → coordinating | referred_for_special_inspection | resolved; referred_for_special_inspection → coordinating | resolved; resolved → coordinating. A referral (十六) needs `special_inspection_eligible`. Each change appends an event (actor, time, note).",
            {"200": ok("The case after the change", "Case", ETAG), "400": P, "404": P,
             "409": problem("The workflow does not allow this move (`allowed`)"),
             "412": problem("The case changed since the ETag was read (`current_etag`)"),
             "415": problem("The body is not application/json"),
             "422": problem("Referral to a special inspection for a case the analysis found not eligible (十六)"),
             "428": problem("No If-Match header")},
            params=[ID, {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}, "example": "\"v1\""}],
            body="CaseChange"),
    },
    "/v1/cases/{id}/events": {"get": op(
        "A case's event log (append-only)", "caseEvents",
        "Creation and every status change, in order, with actor, time and note.",
        {"200": ok("The log", "CaseEvents"), "404": P}, params=[ID])},
}

STATUS = {"type": "string", "enum": ["open", "coordinating", "escalated", "referred_for_special_inspection", "resolved"]}
TIME = {"type": "string", "format": "date-time"}
NULLSTR = {"type": ["string", "null"]}
ACTOR = {"type": "object", "required": ["token", "name"], "properties": {"token": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}, "jurisdiction": {"type": "string"}}}
PLACE = {"type": "object", "required": ["adcode"], "properties": {"adcode": {"type": "string"}, "name": {"type": "string"}, "prefecture": {"type": "string"}}}


def obj(required, props, extra=False):
    return {"type": "object", "required": required, "additionalProperties": extra, "properties": props}


schemas = {
    "RegisterToken": obj(["id", "role", "jurisdiction", "name", "created_at", "revoked_at"], {
        "id": {"type": "string"}, "role": {"type": "string", "enum": ["office", "department", "reader"]},
        "jurisdiction": {"type": "string"}, "department": {"type": "string"}, "name": {"type": "string"},
        "created_at": TIME, "revoked_at": NULLSTR}),
    "RegisterMe": obj(["token", "jurisdiction"], {
        "token": {"$ref": "#/components/schemas/RegisterToken"},
        "jurisdiction": obj(["adcode", "name", "level", "prefecture"], {
            "adcode": {"type": "string"}, "name": {"type": "string"},
            "level": {"type": "string", "enum": ["province", "prefecture", "county"]}, "prefecture": {"type": "string"}})}),
    "NewFiling": obj(["obligation", "year", "body", "filed_on", "document_ref"], {
        "obligation": {"type": "string", "examples": ["prefecture_annual_report"]},
        "year": {"type": "integer", "description": "Year reported on"},
        "body": obj(["adcode", "id"], {"adcode": {"type": "string"}, "id": {"type": "string", "description": "party_committee, government, or a department id"}}),
        "filed_on": {"type": "string", "format": "date"},
        "document_ref": {"type": "string", "maxLength": 200, "description": "文号"},
        "public_url": {"type": ["string", "null"], "description": "Where it was published (http or https)"}}),
    "Filing": obj(["id", "obligation", "basis", "year", "body", "filed_on", "deadline", "on_time", "document_ref", "public_url", "recorded_by", "recorded_at"], {
        "id": {"type": "string"}, "obligation": {"type": "string"}, "basis": {"type": "array", "items": {"type": "string"}},
        "year": {"type": "integer"},
        "body": obj(["adcode", "id", "name_zh", "level", "prefecture"], {
            "adcode": {"type": "string"}, "id": {"type": "string"}, "name_zh": {"type": "string"},
            "level": {"type": "string"}, "prefecture": {"type": "string"}}),
        "filed_on": {"type": "string", "format": "date"}, "deadline": NULLSTR, "on_time": {"type": ["boolean", "null"]},
        "document_ref": {"type": "string"}, "public_url": NULLSTR, "recorded_by": ACTOR, "recorded_at": TIME}),
    "FilingList": obj(["filings", "limit", "next_cursor"], {
        "filings": {"type": "array", "items": {"$ref": "#/components/schemas/Filing"}},
        "limit": {"type": "integer"}, "next_cursor": NULLSTR}),
    "NewCase": {"type": "object", "required": ["matter", "title", "description"], "additionalProperties": False,
                "description": "An analysis request (see AnalyzeRequest: exactly one of `footprint` and `places`) plus a title and a description.",
                "properties": {**{k: v for k, v in [("matter", {"type": "string", "maxLength": 64}), ("footprint", {"type": "object"}),
                                                    ("places", {"type": "array", "items": {"type": "string"}, "maxItems": 500}),
                                                    ("suspected_crime", {"type": "boolean"}), ("crs", {})]},
                               "title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 10000}}},
    "CaseChange": obj(["status", "note"], {"status": STATUS, "note": {"type": "string", "maxLength": 2000}}),
    "Case": obj(["id", "title", "description", "matter", "status", "version", "parties", "counties", "coordinating_body",
                 "special_inspection_eligible", "data_version", "created_by", "created_at", "updated_at", "links"], {
        "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "matter": {"type": "object"}, "status": STATUS, "version": {"type": "integer", "minimum": 1},
        "parties": {"type": "array", "items": PLACE}, "counties": {"type": "array", "items": PLACE},
        "coordinating_body": {"type": "object"}, "special_inspection_eligible": {"type": "boolean"},
        "data_version": {"type": "string"}, "created_by": ACTOR, "created_at": TIME, "updated_at": TIME,
        "request": {"type": "object", "description": "The analysis request as posted (full view only)"},
        "analysis": {"$ref": "#/components/schemas/Analysis"},
        "links": obj(["self", "events"], {"self": {"type": "string"}, "events": {"type": "string"}})}),
    "CaseList": obj(["cases", "limit", "next_cursor"], {
        "cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
        "limit": {"type": "integer"}, "next_cursor": NULLSTR}),
    "CaseEvents": obj(["case", "events"], {
        "case": {"type": "string"},
        "events": {"type": "array", "items": obj(["seq", "at", "actor", "from", "to", "note"], {
            "seq": {"type": "integer", "minimum": 1}, "at": TIME, "actor": ACTOR,
            "from": {"oneOf": [STATUS, {"type": "null"}]}, "to": STATUS, "note": {"type": "string"}})}}),
}

schemas["BodyFiling"] = obj(["body", "filed"], {
    "body": obj(["adcode", "id"], {"adcode": {"type": "string"}, "id": {"type": "string"}}),
    "filed": {"type": "string", "enum": ["yes", "no", "unknown"],
              "description": "`unknown`: the body lies outside the caller's view, the register was not asked"},
    "status": {"type": "string", "enum": ["filed", "due", "overdue", "not_fixed"],
               "description": "From the filing records, for the period of `filings.period` as of `date` (absent when `filed` is unknown)"},
    "deadline": NULLSTR, "filing_id": {"type": "string"}, "filed_on": {"type": "string", "format": "date"},
    "on_time": {"type": ["boolean", "null"]}})


def obligations_with_register(spec):
    """`/v1/obligations` with a register: an optional token, per-body filing status."""
    o = spec["paths"]["/v1/obligations"]["get"]
    o["security"] = [{}, {"bearer": []}]
    o["responses"]["401"] = problem("A malformed, unknown or revoked token (no token is fine: the route is public)")
    o["responses"]["429"] = COMMON["429"]
    extra = (" With a register (`--state`/`--database`) and a token, every report line the caller may see"
             " carries `filing` (or `filings`, one per department of a collective 十二 line): filed, due, overdue"
             " or not_fixed from the filing records; the obligation's schedule says filed/overdue when the caller"
             " sees every body it lists. `--public-filings` shows them without a token.")
    if extra not in o["description"]:
        o["description"] += extra
    sch = spec["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/BodyFiling"}
    sch["Obligation"]["properties"]["reports"]["items"]["properties"].update(
        {"filing": ref, "filings": {"type": "array", "items": ref}})
    sch["Obligations"]["properties"]["filings"] = obj(["source", "period"], {
        "source": {"const": "register"}, "period": {"type": "integer", "description": "The year reported on"}})


raw = open(PATH, encoding="utf-8").read()
spec = json.loads(raw)
spec["paths"].update(paths)
spec["components"]["schemas"].update(schemas)
spec["components"].setdefault("securitySchemes", {})["bearer"] = {
    "type": "http", "scheme": "bearer",
    "description": "A register token (`liuyu token create`): `liuyu_` + 64 hex digits. Register routes only; lookups need none."}
spec["components"]["schemas"]["Problem"]["properties"].update({
    "current_etag": {"type": "string"}, "current_status": {"type": "string"}, "allowed": {"type": "array", "items": {"type": "string"}},
    "existing": NULLSTR, "retry_after_seconds": {"type": "integer"}})
obligations_with_register(spec)
open(PATH, "w", encoding="utf-8").write(json.dumps(spec, indent=1, ensure_ascii=False))
print(f"{PATH}: {len(paths)} register paths, {len(schemas)} schemas")
