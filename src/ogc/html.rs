//! Minimal HTML views of the OGC API documents, for people with a browser.

use serde_json::Value;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;margin:1.5em;max-width:70em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}}</style></head>\
         <body><p><a href=\"/\">地图 Map</a> · <a href=\"/ogc\">OGC API</a> · <a href=\"/ogc/collections\">集合 Collections</a></p>\
         <h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    )
}

fn links(doc: &Value) -> String {
    let items: String = doc["links"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    format!(
                        "<li><a href=\"{}\">{}</a> ({}, {})</li>",
                        esc(l["href"].as_str().unwrap_or("")),
                        esc(l["title"].as_str().unwrap_or("")),
                        esc(l["rel"].as_str().unwrap_or("")),
                        esc(l["type"].as_str().unwrap_or(""))
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!("<ul>{items}</ul>")
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => esc(s),
        Value::Null => String::new(),
        other => esc(&other.to_string()),
    }
}

/// Landing page.
pub fn landing(doc: &Value) -> String {
    page(
        doc["title"].as_str().unwrap_or("OGC API"),
        &format!(
            "<p>{}</p>{}",
            esc(doc["description"].as_str().unwrap_or("")),
            links(doc)
        ),
    )
}

/// Conformance.
pub fn conformance(doc: &Value) -> String {
    let li: String = doc["conformsTo"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| format!("<li>{}</li>", scalar(c)))
                .collect()
        })
        .unwrap_or_default();
    page("Conformance 一致性", &format!("<ul>{li}</ul>"))
}

/// Collections list.
pub fn collections(doc: &Value) -> String {
    let rows: String = doc["collections"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    let id = c["id"].as_str().unwrap_or("");
                    format!(
                        "<tr><td><a href=\"/ogc/collections/{0}\">{0}</a></td><td>{1}</td><td><a href=\"/ogc/collections/{0}/items?f=html\">items</a></td></tr>",
                        esc(id),
                        scalar(&c["title"])
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    page(
        "Collections 集合",
        &format!("<table><tr><th>id</th><th>title</th><th></th></tr>{rows}</table>"),
    )
}

/// One collection.
pub fn collection(doc: &Value) -> String {
    page(
        doc["title"].as_str().unwrap_or(""),
        &format!("<p>{}</p>{}", scalar(&doc["description"]), links(doc)),
    )
}

fn props_table(p: &Value) -> String {
    let rows: String = p
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), scalar(v)))
                .collect()
        })
        .unwrap_or_default();
    format!("<table>{rows}</table>")
}

/// An items page.
pub fn items(doc: &Value) -> String {
    let feats: String = doc["features"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "<h3>{}</h3>{}",
                        scalar(&f["id"]),
                        props_table(&f["properties"])
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    page(
        "Items 要素",
        &format!(
            "<p>numberMatched {} · numberReturned {}</p>{}{}",
            scalar(&doc["numberMatched"]),
            scalar(&doc["numberReturned"]),
            links(doc),
            feats
        ),
    )
}

/// One feature.
pub fn feature(doc: &Value) -> String {
    page(
        &format!("Feature {}", scalar(&doc["id"])),
        &format!("{}{}", props_table(&doc["properties"]), links(doc)),
    )
}
