//! Mapbox Vector Tile encoding (矢量瓦片编码) of a [`MapSource`].
//!
//! Per tile and layer: project to Web Mercator (once, at preparation), simplify
//! for the zoom (tolerance one tile unit, cached per zoom; lookups elsewhere stay
//! exact), clip to the tile plus a buffer, quantise to the 4096 grid, fix the
//! ring winding required by the MVT 2.1 spec, and encode with `geozero`.

use std::sync::OnceLock;

use geo::{
    BoundingRect, Coord, Geometry, LineString, MapCoords, MultiLineString, MultiPoint,
    MultiPolygon, Point, Polygon, Rect, Simplify,
};
use geozero::mvt::{tile, Message, TagsBuilder, Tile, TileValue};
use geozero::ToMvt;
use serde_json::Value;

use super::clip::{clip_multilinestring, clip_multipolygon, ClipBox};
use super::mercator::{lonlat_to_merc, TileId};
use super::source::{GeometryKind, MapSource};

/// Tile extent in MVT units.
pub const EXTENT: u32 = 4096;
/// Buffer around each tile, in MVT units.
pub const BUFFER: u32 = 64;
/// Above this zoom the simplification of this zoom is reused.
pub const MAX_SIMPLIFY_ZOOM: u8 = 14;

/// Errors while encoding a tile.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    /// A layer id that the source does not have.
    #[error("unknown layer '{0}'")]
    UnknownLayer(String),
    /// The MVT geometry encoder refused a geometry.
    #[error("MVT encoding failed: {0}")]
    Encode(String),
}

struct PreparedFeature {
    id: String,
    numeric_id: Option<u64>,
    merc: Geometry<f64>,
    bbox: Option<Rect<f64>>,
    tags: Vec<(String, TileValue)>,
    simplified: Vec<OnceLock<Geometry<f64>>>,
}

struct PreparedLayer {
    id: String,
    features: Vec<PreparedFeature>,
}

/// A [`MapSource`] projected and ready to cut into tiles (准备好的瓦片数据).
pub struct TileSet {
    version: String,
    layers: Vec<PreparedLayer>,
}

fn to_tile_value(v: &Value) -> Option<TileValue> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(TileValue::Bool(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(TileValue::Int)
            .or_else(|| n.as_u64().map(TileValue::Uint))
            .or_else(|| n.as_f64().map(TileValue::Double)),
        Value::String(s) => Some(TileValue::Str(s.clone())),
        // Lists (member ids, zone lists) become comma-separated strings: MVT has no arrays.
        Value::Array(a) => Some(TileValue::Str(
            a.iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
        )),
        Value::Object(_) => Some(TileValue::Str(v.to_string())),
    }
}

impl TileSet {
    /// Project and index every layer of the source.
    pub fn new(source: &MapSource) -> TileSet {
        let layers = source
            .layers
            .iter()
            .map(|l| PreparedLayer {
                id: l.id.clone(),
                features: l
                    .features
                    .iter()
                    .map(|f| {
                        let merc = f.geometry.map_coords(|c| {
                            let (x, y) = lonlat_to_merc(c.x, c.y);
                            Coord { x, y }
                        });
                        let mut tags: Vec<(String, TileValue)> = Vec::new();
                        if !f.properties.contains_key("id") {
                            tags.push(("id".into(), TileValue::Str(f.id.clone())));
                        }
                        for (k, v) in &f.properties {
                            if let Some(tv) = to_tile_value(v) {
                                tags.push((k.clone(), tv));
                            }
                        }
                        PreparedFeature {
                            id: f.id.clone(),
                            numeric_id: f.id.parse().ok(),
                            bbox: merc.bounding_rect(),
                            merc,
                            tags,
                            simplified: (0..=MAX_SIMPLIFY_ZOOM).map(|_| OnceLock::new()).collect(),
                        }
                    })
                    .collect(),
            })
            .collect();
        TileSet {
            version: source.version.clone(),
            layers,
        }
    }

    /// Data version this tile set was prepared from.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether the layer exists.
    pub fn has_layer(&self, id: &str) -> bool {
        self.layers.iter().any(|l| l.id == id)
    }

    /// Encode one tile with the given layers (in the given order), uncompressed
    /// protobuf bytes. Layers without features in the tile are left out; an
    /// all-empty tile is a valid zero-length MVT.
    pub fn render(&self, layer_ids: &[&str], t: TileId) -> Result<Vec<u8>, TileError> {
        let (min_x, min_y, max_x, max_y) = t.merc_bounds();
        let unit = t.width_m() / f64::from(EXTENT);
        let buf = unit * f64::from(BUFFER);
        let clip = ClipBox {
            min_x: min_x - buf,
            min_y: min_y - buf,
            max_x: max_x + buf,
            max_y: max_y + buf,
        };
        let zi = usize::from(t.z.min(MAX_SIMPLIFY_ZOOM));
        // Quantise: tile units, y down.
        let to_tile = |c: Coord<f64>| Coord {
            x: ((c.x - min_x) / unit).round(),
            y: ((max_y - c.y) / unit).round(),
        };

        let mut tile = Tile::default();
        for lid in layer_ids {
            let layer = self
                .layers
                .iter()
                .find(|l| l.id == *lid)
                .ok_or_else(|| TileError::UnknownLayer((*lid).to_string()))?;
            let mut tags = TagsBuilder::new();
            let mut features = Vec::new();
            for (idx, f) in layer.features.iter().enumerate() {
                match &f.bbox {
                    Some(bb) if clip.intersects_rect(bb) => {}
                    _ => continue,
                }
                let simplified =
                    f.simplified[zi].get_or_init(|| simplify(&f.merc, tolerance_for(zi as u8)));
                let Some(geom) = clip_and_quantise(simplified, f.bbox.as_ref(), &clip, &to_tile)
                else {
                    continue;
                };
                let mut feature = geom
                    .to_mvt_unscaled()
                    .map_err(|e| TileError::Encode(format!("{}: {e}", f.id)))?;
                feature.id = Some(f.numeric_id.unwrap_or(idx as u64 + 1));
                for (k, v) in &f.tags {
                    let (ki, vi) = tags.insert_ref(k, v.clone());
                    feature.tags.push(ki);
                    feature.tags.push(vi);
                }
                features.push(feature);
            }
            if features.is_empty() {
                continue;
            }
            let (keys, values) = tags.into_tags();
            tile.layers.push(tile::Layer {
                version: 2,
                name: layer.id.clone(),
                features,
                keys,
                values: values.into_iter().map(Into::into).collect(),
                extent: Some(EXTENT),
            });
        }
        Ok(tile.encode_to_vec())
    }

    /// Ids of the features of a layer, in order (for tests and diagnostics).
    pub fn feature_ids(&self, layer: &str) -> Vec<&str> {
        self.layers
            .iter()
            .find(|l| l.id == layer)
            .map(|l| l.features.iter().map(|f| f.id.as_str()).collect())
            .unwrap_or_default()
    }
}

/// Simplification tolerance in metres at a zoom: one MVT unit.
pub fn tolerance_for(z: u8) -> f64 {
    let t = TileId {
        z: z.min(MAX_SIMPLIFY_ZOOM),
        x: 0,
        y: 0,
    };
    t.width_m() / f64::from(EXTENT)
}

fn simplify(g: &Geometry<f64>, eps: f64) -> Geometry<f64> {
    match g {
        Geometry::Polygon(p) => Geometry::Polygon(p.simplify(eps)),
        Geometry::MultiPolygon(p) => Geometry::MultiPolygon(p.simplify(eps)),
        Geometry::LineString(l) => Geometry::LineString(l.simplify(eps)),
        Geometry::MultiLineString(l) => Geometry::MultiLineString(l.simplify(eps)),
        other => other.clone(),
    }
}

fn kind_of(g: &Geometry<f64>) -> Option<GeometryKind> {
    match g {
        Geometry::Polygon(_)
        | Geometry::MultiPolygon(_)
        | Geometry::Rect(_)
        | Geometry::Triangle(_) => Some(GeometryKind::Polygon),
        Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => {
            Some(GeometryKind::Line)
        }
        Geometry::Point(_) | Geometry::MultiPoint(_) => Some(GeometryKind::Point),
        Geometry::GeometryCollection(_) => None,
    }
}

/// Clip to the buffered tile, quantise, drop degenerate parts and orient rings.
fn clip_and_quantise(
    g: &Geometry<f64>,
    bbox: Option<&Rect<f64>>,
    clip: &ClipBox,
    to_tile: &impl Fn(Coord<f64>) -> Coord<f64>,
) -> Option<Geometry<f64>> {
    let inside = bbox.is_some_and(|b| clip.contains_rect(b));
    match kind_of(g)? {
        GeometryKind::Polygon => {
            let mp = match g {
                Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
                Geometry::MultiPolygon(mp) => mp.clone(),
                Geometry::Rect(r) => MultiPolygon(vec![r.to_polygon()]),
                Geometry::Triangle(t) => MultiPolygon(vec![t.to_polygon()]),
                _ => return None,
            };
            let clipped = if inside {
                mp
            } else {
                clip_multipolygon(&mp, clip)
            };
            let polys: Vec<Polygon<f64>> = clipped
                .0
                .iter()
                .filter_map(|p| {
                    let ext = quantise_ring(p.exterior(), to_tile, true)?;
                    let holes = p
                        .interiors()
                        .iter()
                        .filter_map(|r| quantise_ring(r, to_tile, false))
                        .collect();
                    Some(Polygon::new(ext, holes))
                })
                .collect();
            (!polys.is_empty()).then(|| {
                if polys.len() == 1 {
                    Geometry::Polygon(
                        polys
                            .into_iter()
                            .next()
                            .unwrap_or_else(|| Polygon::new(LineString(vec![]), vec![])),
                    )
                } else {
                    Geometry::MultiPolygon(MultiPolygon(polys))
                }
            })
        }
        GeometryKind::Line => {
            let ml = match g {
                Geometry::LineString(l) => MultiLineString(vec![l.clone()]),
                Geometry::MultiLineString(ml) => ml.clone(),
                Geometry::Line(l) => MultiLineString(vec![LineString(vec![l.start, l.end])]),
                _ => return None,
            };
            let clipped = if inside {
                ml
            } else {
                clip_multilinestring(&ml, clip)
            };
            let lines: Vec<LineString<f64>> = clipped
                .0
                .iter()
                .filter_map(|l| {
                    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(l.0.len());
                    for c in &l.0 {
                        let q = to_tile(*c);
                        if pts.last() != Some(&q) {
                            pts.push(q);
                        }
                    }
                    (pts.len() >= 2).then_some(LineString(pts))
                })
                .collect();
            (!lines.is_empty()).then_some(Geometry::MultiLineString(MultiLineString(lines)))
        }
        GeometryKind::Point => {
            let pts: Vec<Point<f64>> = match g {
                Geometry::Point(p) => vec![*p],
                Geometry::MultiPoint(mp) => mp.0.clone(),
                _ => return None,
            };
            let pts: Vec<Point<f64>> = pts
                .into_iter()
                .filter(|p| clip.contains(p.0))
                .map(|p| Point(to_tile(p.0)))
                .collect();
            match pts.len() {
                0 => None,
                1 => Some(Geometry::Point(pts[0])),
                _ => Some(Geometry::MultiPoint(MultiPoint(pts))),
            }
        }
    }
}

/// Twice the signed area (surveyor's formula) of a closed ring.
fn twice_signed_area(pts: &[Coord<f64>]) -> f64 {
    pts.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

/// Quantise a ring to tile units; `None` when it collapses. MVT 2.1: exterior
/// rings have positive surveyor's-formula area in tile coordinates (y down),
/// interior rings negative.
fn quantise_ring(
    ring: &LineString<f64>,
    to_tile: &impl Fn(Coord<f64>) -> Coord<f64>,
    exterior: bool,
) -> Option<LineString<f64>> {
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let q = to_tile(*c);
        if pts.last() != Some(&q) {
            pts.push(q);
        }
    }
    if pts.first() != pts.last() {
        let first = *pts.first()?;
        pts.push(first);
    }
    if pts.len() < 4 {
        return None;
    }
    let a = twice_signed_area(&pts);
    if a == 0.0 {
        return None;
    }
    if (a > 0.0) != exterior {
        pts.reverse();
    }
    Some(LineString(pts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::mercator::merc_to_lonlat;
    use crate::tiles::source::{MapFeature, MapLayer};
    use geo::{Area, Contains};
    use serde_json::json;

    fn square_source() -> MapSource {
        let sq = |x0: f64, y0: f64, d: f64| {
            Geometry::Polygon(Polygon::new(
                LineString::from(vec![
                    (x0, y0),
                    (x0 + d, y0),
                    (x0 + d, y0 + d),
                    (x0, y0 + d),
                    (x0, y0),
                ]),
                vec![],
            ))
        };
        let props = |name: &str| {
            json!({"name": name, "members": ["420100", "420200"], "n": 3})
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        MapSource {
            version: "v1".into(),
            layers: vec![MapLayer {
                id: "counties".into(),
                title: "Counties".into(),
                title_zh: "县".into(),
                kind: GeometryKind::Polygon,
                features: vec![
                    MapFeature::new("420103", sq(114.0, 30.0, 0.5), props("江汉区")),
                    MapFeature::new("Z1", sq(120.0, 10.0, 0.5), props("far")),
                ],
                provenance: json!({}),
                ogc: true,
            }],
        }
    }

    /// Decode a polygon feature's geometry commands back to rings (independent of the writer).
    fn decode_rings(geom: &[u32]) -> Vec<Vec<(i64, i64)>> {
        let (mut x, mut y) = (0i64, 0i64);
        let mut rings = Vec::new();
        let mut cur = Vec::new();
        let mut i = 0;
        let zz = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
        while i < geom.len() {
            let (cmd, count) = (geom[i] & 7, geom[i] >> 3);
            i += 1;
            match cmd {
                1 | 2 => {
                    for _ in 0..count {
                        x += zz(geom[i]);
                        y += zz(geom[i + 1]);
                        i += 2;
                        if cmd == 1 && !cur.is_empty() {
                            rings.push(std::mem::take(&mut cur));
                        }
                        cur.push((x, y));
                    }
                }
                7 => rings.push(std::mem::take(&mut cur)),
                _ => panic!("bad command {cmd}"),
            }
        }
        rings
    }

    #[test]
    fn tile_decodes_with_expected_layer_tags_and_winding() {
        let ts = TileSet::new(&square_source());
        let (x, y) = crate::tiles::mercator::tile_of(7, 114.25, 30.25);
        let t = TileId::new(7, x, y).unwrap();
        let bytes = ts.render(&["counties"], t).unwrap();
        let tile = Tile::decode(bytes.as_slice()).unwrap();
        assert_eq!(tile.layers.len(), 1);
        let layer = &tile.layers[0];
        assert_eq!(layer.name, "counties");
        assert_eq!(layer.extent, Some(4096));
        assert_eq!(
            layer.features.len(),
            1,
            "the far square must not be in this tile"
        );
        let f = &layer.features[0];
        assert_eq!(f.id, Some(420103));
        let tags: std::collections::HashMap<&str, String> = f
            .tags
            .chunks(2)
            .map(|kv| {
                let v = &layer.values[kv[1] as usize];
                (
                    layer.keys[kv[0] as usize].as_str(),
                    v.string_value
                        .clone()
                        .or(v.int_value.map(|i| i.to_string()))
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(tags["name"], "江汉区");
        assert_eq!(tags["members"], "420100,420200");
        assert_eq!(tags["n"], "3");
        assert_eq!(tags["id"], "420103");
        let rings = decode_rings(&f.geometry);
        assert_eq!(rings.len(), 1);
        // Exterior ring: positive area by the surveyor's formula in tile coordinates.
        let r = &rings[0];
        let a: i64 = (0..r.len())
            .map(|i| {
                let (p, q) = (r[i], r[(i + 1) % r.len()]);
                p.0 * q.1 - q.0 * p.1
            })
            .sum();
        assert!(a > 0, "exterior ring must be clockwise (y down): {a}");
        // Every vertex within the buffered extent.
        for &(x, y) in r {
            assert!((-64..=4160).contains(&x) && (-64..=4160).contains(&y));
        }
    }

    #[test]
    fn decoded_square_corner_maps_back_to_its_lonlat() {
        let ts = TileSet::new(&square_source());
        // z10 tile holding the square's SW corner (114.0, 30.0)
        let (x, y) = crate::tiles::mercator::tile_of(10, 114.0, 30.0);
        let t = TileId::new(10, x, y).unwrap();
        let tile = Tile::decode(ts.render(&["counties"], t).unwrap().as_slice()).unwrap();
        let rings = decode_rings(&tile.layers[0].features[0].geometry);
        let (min_x, _, _, max_y) = t.merc_bounds();
        let unit = t.width_m() / 4096.0;
        // The corner vertex must be present (inside this tile) and within one unit of truth.
        let corner_found = rings[0].iter().any(|&(px, py)| {
            let (lon, lat) = merc_to_lonlat(min_x + px as f64 * unit, max_y - py as f64 * unit);
            (lon - 114.0).abs() < 2e-4 && (lat - 30.0).abs() < 2e-4
        });
        assert!(corner_found, "{:?}", rings[0]);
    }

    #[test]
    fn unknown_layer_is_an_error_and_empty_tile_is_empty() {
        let ts = TileSet::new(&square_source());
        assert!(matches!(
            ts.render(&["nope"], TileId::new(0, 0, 0).unwrap()),
            Err(TileError::UnknownLayer(_))
        ));
        let empty = ts
            .render(&["counties"], TileId::new(10, 0, 0).unwrap())
            .unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn quantised_polygon_area_is_close_to_the_projected_area() {
        // z5 tile containing the whole square: area of decoded rings ~ projected area.
        let src = square_source();
        let ts = TileSet::new(&src);
        let (x, y) = crate::tiles::mercator::tile_of(5, 114.25, 30.25);
        let t = TileId::new(5, x, y).unwrap();
        let tile = Tile::decode(ts.render(&["counties"], t).unwrap().as_slice()).unwrap();
        let r = &decode_rings(&tile.layers[0].features[0].geometry)[0];
        let unit = t.width_m() / 4096.0;
        let a2: i64 = (0..r.len())
            .map(|i| {
                let (p, q) = (r[i], r[(i + 1) % r.len()]);
                p.0 * q.1 - q.0 * p.1
            })
            .sum();
        let decoded = a2 as f64 / 2.0 * unit * unit;
        let Geometry::Polygon(p) = &src.layers[0].features[0].geometry else {
            unreachable!()
        };
        let proj = p.map_coords(|c| {
            let (x, y) = lonlat_to_merc(c.x, c.y);
            Coord { x, y }
        });
        let truth = proj.unsigned_area();
        assert!(
            (decoded - truth).abs() / truth < 0.01,
            "decoded {decoded} truth {truth}"
        );
        assert!(proj.contains(&Point::new(
            lonlat_to_merc(114.25, 30.25).0,
            lonlat_to_merc(114.25, 30.25).1
        )));
    }

    #[test]
    fn line_layers_encode_as_linestrings() {
        let line = Geometry::LineString(LineString::from(vec![
            (111.0, 32.5),
            (112.1, 32.0),
            (114.2, 30.55),
        ]));
        let src = MapSource {
            version: "v".into(),
            layers: vec![MapLayer {
                id: "rivers".into(),
                title: "Rivers".into(),
                title_zh: "河流".into(),
                kind: GeometryKind::Line,
                features: vec![MapFeature::new("hanjiang", line, serde_json::Map::new())],
                provenance: json!({}),
                ogc: true,
            }],
        };
        let ts = TileSet::new(&src);
        let tile = Tile::decode(
            ts.render(&["rivers"], TileId::new(4, 12, 6).unwrap())
                .unwrap()
                .as_slice(),
        )
        .unwrap();
        let f = &tile.layers[0].features[0];
        assert_eq!(f.r#type, Some(tile::GeomType::Linestring as i32));
        // MoveTo(1) then LineTo(2): three vertices survive at z4.
        assert_eq!(f.geometry[0], 9);
        assert_eq!(f.geometry[3], (2 << 3) | 2);
    }
}
