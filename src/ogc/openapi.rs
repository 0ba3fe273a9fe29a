//! The API definition (接口定义) of the OGC API - Features service: an
//! OpenAPI 3.0 document at `/ogc/api`, linked from the landing page as
//! `service-desc` (Part 1, requirement `/req/core/root-success`) and declared by
//! the `oas30` conformance class.
//!
//! Built per request from the live collection list (the `collectionId`
//! parameter is an enum of the current collections) and the request's base URL
//! (the `servers` entry), so it is always in step with what is served.

use serde_json::{json, Value};

use super::crs::Crs;
use super::GEOJSON;

/// Media type of the API definition.
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";

fn param(name: &str, location: &str, description: &str, schema: Value) -> Value {
    let mut p = json!({"name": name, "in": location, "required": location == "path",
                       "description": description, "schema": schema});
    if location == "query" {
        // Arrays (bbox) are comma-separated: `bbox=1,2,3,4`.
        p["style"] = json!("form");
        p["explode"] = json!(false);
    }
    p
}

fn ok(description: &str, media: &str, schema_ref: &str) -> Value {
    json!({"description": description, "content": {
        media: {"schema": {"$ref": format!("#/components/schemas/{schema_ref}")}},
        "text/html": {"schema": {"type": "string"}}
    }})
}

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/problem"}}}})
}

/// The OpenAPI 3.0.3 document for the service at `base` serving `collections`.
pub fn document(base: &str, collections: &[&str]) -> Value {
    let crs_uris: Vec<&str> = Crs::ALL.iter().map(|c| c.uri()).collect();
    let f = param(
        "f",
        "query",
        "Output format (default: by the Accept header, else JSON).",
        json!({"type": "string", "enum": ["json", "html"]}),
    );
    let collection_id = param(
        "collectionId",
        "path",
        "A collection (layer) id.",
        json!({"type": "string", "enum": collections}),
    );
    let crs = param(
        "crs",
        "query",
        "Output CRS (OGC API - Features Part 2); EPSG:4326 and EPSG:4490 are in latitude, longitude order. Default CRS84.",
        json!({"type": "string", "format": "uri", "enum": crs_uris}),
    );
    let link = json!({"type": "object", "required": ["href", "rel"], "properties": {
        "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
        "title": {"type": "string"}}});
    let links = json!({"type": "array", "items": {"$ref": "#/components/schemas/link"}});
    let geometry = json!({"nullable": true, "type": "object", "required": ["type"], "properties": {
        "type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString",
                                            "Polygon", "MultiPolygon", "GeometryCollection"]},
        "coordinates": {"type": "array"}, "geometries": {"type": "array"}}});
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "liuyu 流域 OGC API - Features",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Hubei's jurisdictions, basin zones, metropolitan areas, city clusters, the air-pollution corridor, rivers and lakes as OGC API - Features collections (Part 1 Core, GeoJSON, HTML; Part 2 CRS). Every feature carries `provenance`; reconstructed layers say so.",
            "license": {"name": "data: see /ogc/collections/{collectionId} provenance"}
        },
        "servers": [{"url": format!("{base}/ogc")}],
        "paths": {
            "/": {"get": {"summary": "Landing page", "operationId": "getLandingPage", "tags": ["Capabilities"],
                "parameters": [f],
                "responses": {"200": ok("Links to the API definition, conformance and collections.", "application/json", "landingPage"),
                              "400": problem("Bad f parameter.")}}},
            "/api": {"get": {"summary": "This API definition", "operationId": "getApi", "tags": ["Capabilities"],
                "responses": {"200": {"description": "OpenAPI 3.0 document.", "content": {OPENAPI_JSON: {"schema": {"type": "object"}}}}}}},
            "/conformance": {"get": {"summary": "Conformance classes", "operationId": "getConformance", "tags": ["Capabilities"],
                "parameters": [f],
                "responses": {"200": ok("The conformance classes implemented.", "application/json", "confClasses"),
                              "400": problem("Bad f parameter.")}}},
            "/collections": {"get": {"summary": "Collections", "operationId": "getCollections", "tags": ["Capabilities"],
                "parameters": [f],
                "responses": {"200": ok("Every collection with its extent, CRSs and provenance.", "application/json", "collections"),
                              "400": problem("Bad f parameter.")}}},
            "/collections/{collectionId}": {"get": {"summary": "One collection", "operationId": "describeCollection", "tags": ["Capabilities"],
                "parameters": [collection_id, f],
                "responses": {"200": ok("The collection.", "application/json", "collection"),
                              "404": problem("No such collection.")}}},
            "/collections/{collectionId}/items": {"get": {"summary": "Features of a collection", "operationId": "getFeatures", "tags": ["Data"],
                "description": "Any other query parameter named after a property filters by equality (a list property matches when it contains the value; comma-separated values are alternatives), e.g. `?prefecture=420100`, `?counties=420103`, `?river=hanjiang`. Unknown parameters are a 400.",
                "parameters": [
                    collection_id,
                    param("bbox", "query", "minx,miny,maxx,maxy (4 numbers) in bbox-crs.", json!({"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}})),
                    param("bbox-crs", "query", "CRS of bbox (default CRS84).", json!({"type": "string", "format": "uri", "enum": crs_uris})),
                    crs,
                    param("limit", "query", "Page size.", json!({"type": "integer", "minimum": 1, "maximum": 10000, "default": 100})),
                    param("offset", "query", "Features to skip (next/prev links carry it).", json!({"type": "integer", "minimum": 0, "default": 0})),
                    f
                ],
                "responses": {"200": {"description": "A page of features; `Content-Crs` names the CRS.",
                                      "headers": {"Content-Crs": {"schema": {"type": "string"}}},
                                      "content": {GEOJSON: {"schema": {"$ref": "#/components/schemas/featureCollection"}},
                                                  "text/html": {"schema": {"type": "string"}}}},
                              "400": problem("Bad bbox, crs, limit, offset, f or an unknown parameter."),
                              "404": problem("No such collection.")}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {"summary": "One feature", "operationId": "getFeature", "tags": ["Data"],
                "parameters": [collection_id, param("featureId", "path", "Feature id (adcode for administrative units).", json!({"type": "string"})), crs, f],
                "responses": {"200": {"description": "The feature; `Content-Crs` names the CRS.",
                                      "headers": {"Content-Crs": {"schema": {"type": "string"}}},
                                      "content": {GEOJSON: {"schema": {"$ref": "#/components/schemas/feature"}},
                                                  "text/html": {"schema": {"type": "string"}}}},
                              "400": problem("Bad crs or f."),
                              "404": problem("No such collection or feature.")}}}
        },
        "components": {"schemas": {
            "link": link,
            "landingPage": {"type": "object", "required": ["links"], "properties": {
                "title": {"type": "string"}, "description": {"type": "string"}, "links": links}},
            "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {
                "conformsTo": {"type": "array", "items": {"type": "string"}}}},
            "collection": {"type": "object", "required": ["id", "links"], "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                "itemType": {"type": "string"},
                "extent": {"type": "object", "properties": {"spatial": {"type": "object", "properties": {
                    "bbox": {"type": "array", "items": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
                    "crs": {"type": "string"}}}}},
                "crs": {"type": "array", "items": {"type": "string"}}, "storageCrs": {"type": "string"},
                "provenance": {"type": "object"}, "links": links}},
            "collections": {"type": "object", "required": ["links", "collections"], "properties": {
                "links": links, "crs": {"type": "array", "items": {"type": "string"}},
                "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}}}},
            "geometry": geometry,
            "feature": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "geometry": {"$ref": "#/components/schemas/geometry"},
                "properties": {"type": "object", "nullable": true}, "links": links}},
            "featureCollection": {"type": "object", "required": ["type", "features"], "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/feature"}},
                "links": links, "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0}, "timeStamp": {"type": "string"},
                "data_version": {"type": "string"}}},
            "problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}}}
        }}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_has_responses_and_collection_ids_are_an_enum() {
        let d = document("http://h", &["zones", "rivers"]);
        assert_eq!(d["servers"][0]["url"], "http://h/ogc");
        for (path, item) in d["paths"].as_object().unwrap() {
            assert!(item["get"]["responses"]["200"].is_object(), "{path}");
        }
        let p = &d["paths"]["/collections/{collectionId}/items"]["get"]["parameters"][0];
        assert_eq!(p["schema"]["enum"], json!(["zones", "rivers"]));
    }
}
