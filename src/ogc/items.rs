//! The items query of a collection (要素查询): parsing and evaluation.

use geo::{Coord, Intersects, MapCoords, Rect};
use serde_json::{json, Map, Value};

use super::crs::Crs;
use crate::tiles::{MapFeature, MapLayer};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size; larger `limit`s are clamped to it.
pub const MAX_LIMIT: usize = 10_000;

/// A rejected query parameter (HTTP 400).
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The parameter is neither a standard one nor a property of the collection.
    #[error("unknown parameter '{0}'")]
    Unknown(String),
    /// The value is malformed.
    #[error("invalid {0}: {1}")]
    Invalid(&'static str, String),
}

/// A parsed items request.
#[derive(Debug, Clone)]
pub struct ItemsQuery {
    /// Page size.
    pub limit: usize,
    /// Items skipped.
    pub offset: usize,
    /// Spatial filter as (west, south, east, north) degrees; `west > east`
    /// is a box across the antimeridian (OGC API - Features, 7.15.3).
    pub bbox: Option<(f64, f64, f64, f64)>,
    /// The bbox as given (in `bbox_crs` axis order), for paging links.
    pub bbox_raw: Option<String>,
    /// CRS of `bbox`.
    pub bbox_crs: Crs,
    /// CRS of the response.
    pub crs: Crs,
    /// Property equality filters (value lists are ORed).
    pub filters: Vec<(String, Vec<String>)>,
}

fn has_property(layer: &MapLayer, key: &str) -> bool {
    key == "id"
        || layer
            .features
            .iter()
            .any(|f| f.properties.contains_key(key))
}

impl ItemsQuery {
    /// Parse decoded query pairs for `layer`.
    pub fn parse(pairs: &[(String, String)], layer: &MapLayer) -> Result<ItemsQuery, QueryError> {
        let mut q = ItemsQuery {
            limit: DEFAULT_LIMIT,
            offset: 0,
            bbox: None,
            bbox_raw: None,
            bbox_crs: Crs::Crs84,
            crs: Crs::Crs84,
            filters: Vec::new(),
        };
        let mut bbox_nums: Option<[f64; 4]> = None;
        for (k, v) in pairs {
            match k.as_str() {
                "f" => {}
                "limit" => {
                    let n: usize = v
                        .parse()
                        .map_err(|_| QueryError::Invalid("limit", v.clone()))?;
                    if n == 0 {
                        return Err(QueryError::Invalid("limit", "must be at least 1".into()));
                    }
                    q.limit = n.min(MAX_LIMIT);
                }
                "offset" => {
                    q.offset = v
                        .parse()
                        .map_err(|_| QueryError::Invalid("offset", v.clone()))?
                }
                "bbox" => {
                    let nums: Result<Vec<f64>, _> =
                        v.split(',').map(|s| s.trim().parse::<f64>()).collect();
                    let nums = nums.map_err(|_| QueryError::Invalid("bbox", v.clone()))?;
                    let b = bbox_corners(&nums)?;
                    bbox_nums = Some(b);
                    q.bbox_raw = Some(v.clone());
                }
                "bbox-crs" => {
                    q.bbox_crs =
                        Crs::parse(v).ok_or_else(|| QueryError::Invalid("bbox-crs", v.clone()))?
                }
                "crs" => {
                    q.crs = Crs::parse(v).ok_or_else(|| QueryError::Invalid("crs", v.clone()))?
                }
                key if has_property(layer, key) => {
                    q.filters.push((
                        key.to_string(),
                        v.split(',').map(|s| s.trim().to_string()).collect(),
                    ));
                }
                other => return Err(QueryError::Unknown(other.to_string())),
            }
        }
        if let Some(b) = bbox_nums {
            q.bbox = Some(bbox_lonlat(q.bbox_crs, b)?);
        }
        Ok(q)
    }

    /// Whether a feature passes the filters.
    pub fn matches(&self, f: &MapFeature) -> bool {
        for (key, wanted) in &self.filters {
            let ok = if key == "id" && !f.properties.contains_key("id") {
                wanted.contains(&f.id)
            } else {
                f.properties
                    .get(key)
                    .is_some_and(|v| value_matches(v, wanted))
            };
            if !ok {
                return false;
            }
        }
        if let Some((w, s, e, n)) = self.bbox {
            // Across the antimeridian the box is two: west..180 and -180..east.
            let rects = if w <= e {
                vec![(w, e)]
            } else {
                vec![(w, 180.0), (-180.0, e)]
            };
            let hit = rects.into_iter().any(|(w, e)| {
                let rect = Rect::new(Coord { x: w, y: s }, Coord { x: e, y: n });
                f.bbox.is_some_and(|b| b.intersects(&rect)) && f.geometry.intersects(&rect)
            });
            if !hit {
                return false;
            }
        }
        true
    }
}

/// The two corners of a `bbox` (4 numbers, or 6 with heights whose order is
/// checked and then dropped), finite.
fn bbox_corners(nums: &[f64]) -> Result<[f64; 4], QueryError> {
    let b = match nums {
        [a, b, c, d] => [*a, *b, *c, *d],
        [a, b, z0, d, e, z1] => {
            if z0 > z1 {
                return Err(QueryError::Invalid(
                    "bbox",
                    "the lower height is above the upper one".into(),
                ));
            }
            [*a, *b, *d, *e]
        }
        _ => {
            return Err(QueryError::Invalid(
                "bbox",
                "expected 4 (or 6) numbers".into(),
            ))
        }
    };
    if b.iter().any(|x| !x.is_finite()) || nums.iter().any(|x| !x.is_finite()) {
        return Err(QueryError::Invalid("bbox", "numbers must be finite".into()));
    }
    Ok(b)
}

/// A bbox given in `crs` (lower-left corner, then upper-right, in that CRS's
/// axis order) as (west, south, east, north) degrees, per OGC API - Features
/// Part 1, 7.15.3: a west edge east of the east edge crosses the antimeridian
/// and is kept so; a south edge north of the north edge is an error (400).
pub fn bbox_lonlat(crs: Crs, b: [f64; 4]) -> Result<(f64, f64, f64, f64), QueryError> {
    let (w, s) = crs.to_lonlat(b[0], b[1]);
    let (e, n) = crs.to_lonlat(b[2], b[3]);
    if s > n {
        return Err(QueryError::Invalid(
            "bbox",
            format!("the south edge ({s}) is north of the north edge ({n}); give the lower-left corner first"),
        ));
    }
    if !(-180.0..=180.0).contains(&w)
        || !(-180.0..=180.0).contains(&e)
        || !(-90.0..=90.0).contains(&s)
        || !(-90.0..=90.0).contains(&n)
    {
        return Err(QueryError::Invalid(
            "bbox",
            format!("({w}, {s}, {e}, {n}) is not within longitude -180..180 and latitude -90..90"),
        ));
    }
    Ok((w, s, e, n))
}

fn value_matches(v: &Value, wanted: &[String]) -> bool {
    match v {
        Value::Array(a) => a.iter().any(|x| value_matches(x, wanted)),
        Value::String(s) => wanted.iter().any(|w| w == s),
        Value::Null => false,
        other => {
            let s = other.to_string();
            wanted.contains(&s)
        }
    }
}

fn round(v: f64, decimals: i32) -> f64 {
    let p = 10f64.powi(decimals);
    (v * p).round() / p
}

/// A feature as GeoJSON in `crs` (axis order of that CRS).
pub fn feature_json(f: &MapFeature, crs: Crs) -> Value {
    let d = crs.decimals();
    let g = f.geometry.map_coords(|c| {
        let (a, b) = crs.from_lonlat(c.x, c.y);
        Coord {
            x: round(a, d),
            y: round(b, d),
        }
    });
    let geometry = serde_json::to_value(geojson::Geometry::from(&g)).unwrap_or(Value::Null);
    json!({"type": "Feature", "id": f.id, "geometry": geometry, "properties": Value::Object(f.properties.clone())})
}

fn query_string(q: &ItemsQuery, offset: usize, f: &str) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("f", f);
    s.append_pair("limit", &q.limit.to_string());
    s.append_pair("offset", &offset.to_string());
    if let Some(b) = &q.bbox_raw {
        s.append_pair("bbox", b);
        if q.bbox_crs != Crs::Crs84 {
            s.append_pair("bbox-crs", q.bbox_crs.uri());
        }
    }
    if q.crs != Crs::Crs84 {
        s.append_pair("crs", q.crs.uri());
    }
    for (k, v) in &q.filters {
        s.append_pair(k, &v.join(","));
    }
    s.finish()
}

/// The items response (a GeoJSON FeatureCollection with paging links).
pub fn items(layer: &MapLayer, q: &ItemsQuery, base: &str, data_version: &str) -> Value {
    let matched: Vec<&MapFeature> = layer.features.iter().filter(|f| q.matches(f)).collect();
    let page: Vec<Value> = matched
        .iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|f| feature_json(f, q.crs))
        .collect();
    let href = |offset: usize, f: &str| {
        format!(
            "{base}/ogc/collections/{}/items?{}",
            layer.id,
            query_string(q, offset, f)
        )
    };
    let mut links = vec![
        json!({"href": href(q.offset, "json"), "rel": "self", "type": super::GEOJSON, "title": "This page"}),
        json!({"href": href(q.offset, "html"), "rel": "alternate", "type": "text/html", "title": "This page as HTML"}),
        json!({"href": format!("{base}/ogc/collections/{}", layer.id), "rel": "collection", "type": "application/json", "title": "The collection"}),
    ];
    if q.offset + page.len() < matched.len() {
        links.push(json!({"href": href(q.offset + q.limit, "json"), "rel": "next", "type": super::GEOJSON, "title": "Next page"}));
    }
    if q.offset > 0 {
        links.push(json!({"href": href(q.offset.saturating_sub(q.limit), "json"), "rel": "prev", "type": super::GEOJSON, "title": "Previous page"}));
    }
    let mut doc = Map::new();
    doc.insert("type".into(), json!("FeatureCollection"));
    doc.insert("numberMatched".into(), json!(matched.len()));
    doc.insert("numberReturned".into(), json!(page.len()));
    doc.insert("data_version".into(), json!(data_version));
    doc.insert("links".into(), Value::Array(links));
    doc.insert("features".into(), Value::Array(page));
    Value::Object(doc)
}
