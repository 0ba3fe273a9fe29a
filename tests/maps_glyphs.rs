//! Label glyphs (注记字形) through the real router: every character a map label
//! can show has a glyph in the served ranges (decoded here with a protobuf
//! reader independent of the encoder), glyph shapes are those of the font, an
//! unknown font stack or a malformed range is a 404 problem, a range with no
//! glyphs is empty but valid, and the page's web font is served.
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuyu::server::{router, AppState, DataSource};
use liuyu::web::glyphs::FONT_STACK;
use liuyu::Atlas;
use serde_json::Value;

fn app() -> axum::Router {
    static STATE: OnceLock<AppState> = OnceLock::new();
    router(
        STATE
            .get_or_init(|| AppState::new(Atlas::embedded().unwrap(), DataSource::Embedded))
            .clone(),
    )
}

async fn get(uri: &str) -> common::Reply {
    let req = Request::builder().uri(uri).header("host", "maps.test");
    common::send(app(), req.body(Body::empty()).unwrap()).await
}

// ---- a minimal protobuf reader (wire format only), for glyphs.proto --------------
fn varint(b: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let byte = b[*at];
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Fields of one message: (field number, varint value or bytes).
fn fields(b: &[u8]) -> Vec<(u64, Result<u64, Vec<u8>>)> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < b.len() {
        let key = varint(b, &mut at);
        match key & 7 {
            0 => out.push((key >> 3, Ok(varint(b, &mut at)))),
            2 => {
                let len = varint(b, &mut at) as usize;
                out.push((key >> 3, Err(b[at..at + len].to_vec())));
                at += len;
            }
            w => panic!("unexpected wire type {w}"),
        }
    }
    out
}

#[derive(Debug, Default)]
struct Glyph {
    width: u64,
    height: u64,
    top: i64,
    advance: u64,
    bitmap: Vec<u8>,
}

/// (stack name, range name, glyphs by code point) of a glyph range.
fn decode(pbf: &[u8]) -> (String, String, BTreeMap<u32, Glyph>) {
    let stacks: Vec<Vec<u8>> = fields(pbf)
        .into_iter()
        .filter_map(|(f, v)| (f == 1).then(|| v.unwrap_err()))
        .collect();
    assert_eq!(stacks.len(), 1, "one font stack per range");
    let (mut name, mut range, mut glyphs) = (String::new(), String::new(), BTreeMap::new());
    for (f, v) in fields(&stacks[0]) {
        match (f, v) {
            (1, Err(b)) => name = String::from_utf8(b).unwrap(),
            (2, Err(b)) => range = String::from_utf8(b).unwrap(),
            (3, Err(b)) => {
                let (mut id, mut g) = (0, Glyph::default());
                for (gf, gv) in fields(&b) {
                    match (gf, gv) {
                        (1, Ok(v)) => id = v as u32,
                        (2, Err(bm)) => g.bitmap = bm,
                        (3, Ok(v)) => g.width = v,
                        (4, Ok(v)) => g.height = v,
                        (6, Ok(v)) => g.top = ((v >> 1) as i64) ^ -((v & 1) as i64),
                        (7, Ok(v)) => g.advance = v,
                        _ => {}
                    }
                }
                glyphs.insert(id, g);
            }
            other => panic!("unexpected field {other:?}"),
        }
    }
    (name, range, glyphs)
}

async fn range(first: u32) -> BTreeMap<u32, Glyph> {
    let r = get(&format!(
        "/fonts/Noto%20Sans%20SC%20Regular/{first}-{}.pbf",
        first + 255
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/x-protobuf"));
    let (name, rname, glyphs) = decode(&r.body);
    assert_eq!(
        (name.as_str(), rname),
        (FONT_STACK, format!("{first}-{}", first + 255))
    );
    glyphs
}

/// Every string the style draws as a label: label-layer names (and the lake
/// suffix), zone ids, river names.
fn label_texts() -> BTreeSet<String> {
    let atlas = Atlas::embedded().unwrap();
    let source = liuyu::tiles::atlas::from_atlas(&atlas);
    let mut texts = BTreeSet::new();
    let mut props = |layer: &str, key: &str| {
        for f in &source.layer(layer).unwrap().features {
            if let Some(s) = f.properties.get(key).and_then(Value::as_str) {
                texts.insert(s.to_string());
            }
        }
    };
    props("labels", "name");
    props("labels", "id");
    props("rivers", "river_name");
    props("lakes", "name");
    texts.insert("（旧轮廓）".into());
    // The style's own label texts (a format/concat literal) are strings in the layout.
    let style = liuyu::web::style::style(&source, "http://x");
    for l in style["layers"].as_array().unwrap() {
        if let Some(tf) = l["layout"].get("text-field") {
            assert_eq!(
                l["layout"]["text-font"],
                serde_json::json!([FONT_STACK]),
                "{}",
                l["id"]
            );
            collect_literals(tf, &mut texts);
        }
    }
    texts
}

fn collect_literals(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| collect_literals(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_label_character_has_a_glyph() {
    let chars: BTreeSet<char> = label_texts()
        .iter()
        .flat_map(|s| s.chars())
        .filter(|c| *c != '\n')
        .collect();
    assert!(chars.len() > 150, "{} label characters", chars.len());
    let mut by_range: BTreeMap<u32, Vec<char>> = BTreeMap::new();
    for c in chars {
        by_range.entry(u32::from(c) & !255).or_default().push(c);
    }
    let mut missing = Vec::new();
    for (first, cs) in by_range {
        let glyphs = range(first).await;
        for c in cs {
            match glyphs.get(&u32::from(c)) {
                Some(g) if c == ' ' => assert!(g.bitmap.is_empty() && g.advance > 0),
                Some(g) => {
                    assert!(g.width > 0 && g.height > 0, "{c}");
                    assert_eq!(g.bitmap.len() as u64, (g.width + 6) * (g.height + 6), "{c}");
                }
                None => missing.push(c),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no glyph for {missing:?}: run tools/build-glyphs.sh and commit"
    );
}

#[tokio::test]
async fn glyph_shapes_are_those_of_the_font() {
    let g = range(0x4e00).await;
    // 一: one wide horizontal stroke; 中: about square, full em advance.
    let yi = &g[&0x4e00];
    assert!(yi.width > 4 * yi.height, "一 is {}x{}", yi.width, yi.height);
    let zhong = &g[&0x4e2d];
    assert_eq!(zhong.advance, 24);
    assert!(
        zhong.height >= 18 && zhong.width >= 16,
        "中 is {}x{}",
        zhong.width,
        zhong.height
    );
    // Its top sits near the top of the em box (top = ymax - 25 with ymax about 21).
    assert!((-6..=0).contains(&zhong.top), "中 top {}", zhong.top);
    // 口 (U+53E3): inside its box the centre is empty, the left stroke is ink.
    let kou = &range(0x5300).await[&0x53e3];
    let w = (kou.width + 6) as usize;
    let mid = (kou.height as usize + 6) / 2;
    let row: Vec<u8> = kou.bitmap[mid * w..(mid + 1) * w].to_vec();
    assert!(row[w / 2] < 192, "口 centre is not ink: {row:?}");
    assert!(
        row.iter().take(w / 3).any(|&v| v >= 192),
        "口 left stroke is ink: {row:?}"
    );
    assert!(
        row[0] < 192 && row[w - 1] < 192,
        "buffer is outside: {row:?}"
    );
}

#[tokio::test]
async fn unknown_stack_and_bad_range_are_404_problems() {
    for uri in [
        "/fonts/Open%20Sans%20Regular/0-255.pbf",
        "/fonts/Noto%20Sans%20SC%20Regular/1-256.pbf",
        "/fonts/Noto%20Sans%20SC%20Regular/abc.pbf",
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{uri}"
        );
        assert_eq!(r.json()["status"], 404);
    }
    // A stack that lists our font among others is served.
    let r = get("/fonts/Noto%20Sans%20SC%20Regular,Arial%20Unicode%20MS%20Regular/0-255.pbf").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_range_without_glyphs_is_empty_but_valid() {
    // Private use area: no glyphs in the font or the data.
    let glyphs = range(0xe000).await;
    assert!(glyphs.is_empty());
    assert!(!liuyu::web::glyphs::embedded_ranges().contains(&0xe000));
}

#[tokio::test]
async fn the_page_web_font_is_served() {
    let r = get("/assets/noto-sans-sc-ui.woff2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("font/woff2"));
    assert_eq!(&r.body[..4], b"wOF2");
    assert!(r.header("etag").is_some());
}
