//! Pure-Rust readers for import (数据导入): GeoJSON, FlatGeobuf and Shapefile
//! polygon layers, with the source CRS detected from the file (GeoJSON `crs`
//! member, FlatGeobuf header, Shapefile `.prj`) when it is one liuyu knows.

use std::collections::HashMap;
use std::path::Path;

use geo::{Geometry, MultiPolygon};
use serde_json::{Map, Number, Value};
use shapefile::dbase::{FieldValue, Record};

pub use super::fgb_read::read_fgb;
use super::FormatError;
use crate::crs::{CrsId, GkZone};

/// A polygon feature read from a file (coordinates in the file's CRS).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportFeature {
    /// Geometry (polygons are promoted to multipolygons).
    pub geometry: MultiPolygon<f64>,
    /// Attributes.
    pub properties: Map<String, Value>,
}

/// A layer read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedLayer {
    /// Features in file order.
    pub features: Vec<ImportFeature>,
    /// CRS of the returned coordinates, if known.
    pub crs: Option<CrsId>,
    /// The CRS as the file declares it (for reports), if any.
    pub declared_crs: Option<String>,
}

fn to_multipolygon(g: Geometry<f64>, i: usize) -> Result<MultiPolygon<f64>, FormatError> {
    match g {
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        Geometry::MultiPolygon(m) => Ok(m),
        Geometry::GeometryCollection(c) => {
            let mut out = Vec::new();
            for g in c {
                out.extend(to_multipolygon(g, i)?.0);
            }
            Ok(MultiPolygon(out))
        }
        _ => Err(FormatError::codec(
            "import",
            format!("feature {i}: geometry is not a polygon"),
        )),
    }
}

/// Reads a polygon layer by file extension (`.geojson`/`.json`, `.fgb`, `.shp`).
pub fn read_path(path: &Path) -> Result<ImportedLayer, FormatError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "geojson" | "json" => {
            let bytes = std::fs::read(path).map_err(|e| FormatError::io(path, e))?;
            read_geojson(&bytes)
        }
        "fgb" => read_fgb(path),
        "shp" => read_shapefile(path),
        other => Err(FormatError::UnknownFormat(format!(
            "{other} (pure-Rust import reads .geojson, .fgb, .shp; build with --features gdal for any OGR format)"
        ))),
    }
}

/// Reads a GeoJSON FeatureCollection.
pub fn read_geojson(bytes: &[u8]) -> Result<ImportedLayer, FormatError> {
    let gj: geojson::GeoJson = std::str::from_utf8(bytes)
        .map_err(|e| FormatError::codec("geojson", e))?
        .parse()
        .map_err(|e| FormatError::codec("geojson", e))?;
    let fc = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc,
        geojson::GeoJson::Feature(f) => geojson::FeatureCollection {
            bbox: None,
            features: vec![f],
            foreign_members: None,
        },
        geojson::GeoJson::Geometry(_) => {
            return Err(FormatError::codec(
                "geojson",
                "expected a FeatureCollection",
            ))
        }
    };
    // RFC 7946: no `crs` member means WGS 84 lon/lat; the pre-RFC `crs`
    // member (as GDAL writes it) names another CRS.
    let crs = match fc.foreign_members.as_ref().and_then(|m| m.get("crs")) {
        None => Some(CrsId::Crs84),
        Some(c) => c
            .pointer("/properties/name")
            .and_then(Value::as_str)
            .and_then(|s| CrsId::parse(s).ok()),
    };
    let mut features = Vec::with_capacity(fc.features.len());
    for (i, f) in fc.features.into_iter().enumerate() {
        let geom = f
            .geometry
            .ok_or_else(|| FormatError::codec("geojson", format!("feature {i} has no geometry")))?;
        crate::atlas::positions::check_positions(&geom)
            .map_err(|e| FormatError::codec("geojson", format!("feature {i}: {e}")))?;
        let g: Geometry<f64> = geom
            .try_into()
            .map_err(|e: geojson::Error| FormatError::codec("geojson", e))?;
        let mut properties = f.properties.unwrap_or_default();
        if let Some(id) = f.id {
            let v = match id {
                geojson::feature::Id::String(s) => Value::String(s),
                geojson::feature::Id::Number(n) => Value::Number(n),
            };
            properties.entry("id").or_insert(v);
        }
        features.push(ImportFeature {
            geometry: to_multipolygon(g, i)?,
            properties,
        });
    }
    Ok(ImportedLayer {
        declared_crs: crs.map(|c| c.to_string()),
        features,
        crs,
    })
}

fn dbf_value(v: FieldValue) -> Value {
    match v {
        FieldValue::Character(Some(s)) | FieldValue::Memo(s) => {
            Value::String(s.trim_end().to_string())
        }
        FieldValue::Numeric(Some(x)) | FieldValue::Double(x) | FieldValue::Currency(x) => {
            if x.fract() == 0.0 && x.abs() < 9.0e15 {
                // Integral and exactly representable: keep as an integer.
                Value::from(x as i64)
            } else {
                Number::from_f64(x).map_or(Value::Null, Value::Number)
            }
        }
        FieldValue::Float(Some(x)) => {
            Number::from_f64(f64::from(x)).map_or(Value::Null, Value::Number)
        }
        FieldValue::Integer(x) => Value::from(x),
        FieldValue::Logical(Some(b)) => Value::Bool(b),
        _ => Value::Null,
    }
}

/// The text encoding named by a `.cpg` sidecar (字符编码): `UTF-8`/`65001`,
/// `GBK`/`CP936`/`936`, `GB2312`, `GB18030`/`54936` (all three Chinese labels
/// decode with the GB 18030 decoder, a superset of GBK and GB 2312), `BIG5`/`950`,
/// Windows code pages by number (`1252`, `ANSI 1252`) and any WHATWG label.
pub fn cpg_encoding(label: &str) -> Option<&'static encoding_rs::Encoding> {
    use encoding_rs::{BIG5, GB18030, GBK, UTF_8};
    let l = label.trim().trim_start_matches('\u{feff}').trim();
    let upper = l.to_ascii_uppercase();
    let upper = upper.strip_prefix("ANSI ").unwrap_or(&upper).trim();
    match upper {
        "UTF-8" | "UTF8" | "65001" => Some(UTF_8),
        "936" | "CP936" | "MS936" | "WINDOWS-936" | "GBK" | "GB2312" | "GB_2312" | "EUC-CN" => {
            Some(GBK)
        }
        "54936" | "GB18030" | "GB-18030" => Some(GB18030),
        "950" | "CP950" | "BIG5" | "BIG-5" => Some(BIG5),
        n if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            encoding_rs::Encoding::for_label(format!("windows-{n}").as_bytes())
                .or_else(|| encoding_rs::Encoding::for_label(format!("ibm{n}").as_bytes()))
        }
        _ => encoding_rs::Encoding::for_label(l.as_bytes()),
    }
}

/// The encoding of a DBF's text (shapefile 属性表编码): the `.cpg` sidecar when
/// present (an unknown label is an error rather than garbled names); else the
/// DBF header's language driver id when set (e.g. `0x4D`/`0x7A` = GBK); else
/// UTF-8 when the records are valid UTF-8, and GBK otherwise (official Chinese
/// shapefiles without a `.cpg` are usually GBK).
fn dbf_encoding(
    path: &Path,
    dbf: &[u8],
) -> Result<Option<&'static encoding_rs::Encoding>, FormatError> {
    let cpg = path.with_extension("cpg");
    if let Ok(label) = std::fs::read(&cpg) {
        let label = String::from_utf8_lossy(&label[..label.len().min(256)]).into_owned();
        return cpg_encoding(&label).map(Some).ok_or_else(|| {
            FormatError::codec(
                "shapefile",
                format!(
                    "{}: unknown encoding `{}` (use UTF-8, GBK, 936, GB2312 or GB18030)",
                    cpg.display(),
                    label.trim()
                ),
            )
        });
    }
    if dbf.get(29).copied().unwrap_or(0) != 0 {
        return Ok(None); // the header's language driver id decides
    }
    let header_len = dbf
        .get(8..10)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    let records = dbf.get(header_len..).unwrap_or_default();
    Ok(Some(if std::str::from_utf8(records).is_ok() {
        encoding_rs::UTF_8
    } else {
        encoding_rs::GBK
    }))
}

/// Reads an ESRI Shapefile (`.shp` + `.dbf`, optional `.prj` and `.cpg`);
/// text attributes are decoded as [`dbf_encoding`] decides.
pub fn read_shapefile(path: &Path) -> Result<ImportedLayer, FormatError> {
    let shp_err = |e: shapefile::Error| FormatError::codec("shapefile", e);
    let dbf_path = path.with_extension("dbf");
    let dbf = std::fs::read(&dbf_path).map_err(|e| FormatError::io(&dbf_path, e))?;
    let encoding = dbf_encoding(path, &dbf)?;
    let builder = match encoding {
        Some(e) => shapefile::dbase::ReaderBuilder::new()
            .with_encoding(shapefile::dbase::encoding::EncodingRs::from(e)),
        None => shapefile::dbase::ReaderBuilder::new(),
    };
    let dbase_reader = builder
        .build(std::io::Cursor::new(dbf))
        .map_err(|e| shp_err(e.into()))?;
    let shapes = shapefile::ShapeReader::from_path(path).map_err(shp_err)?;
    let mut reader = shapefile::Reader::new(shapes, dbase_reader);
    let mut features = Vec::new();
    for (i, item) in reader
        .iter_shapes_and_records_as::<shapefile::Polygon, Record>()
        .enumerate()
    {
        let (shape, record) = item.map_err(shp_err)?;
        let geometry = MultiPolygon::<f64>::try_from(shape).map_err(shp_err)?;
        let map: HashMap<String, FieldValue> = record.into();
        let mut properties = Map::new();
        for (k, v) in map {
            properties.insert(k, dbf_value(v));
        }
        if geometry.0.is_empty() {
            return Err(FormatError::codec(
                "shapefile",
                format!("feature {i} has an empty polygon"),
            ));
        }
        features.push(ImportFeature {
            geometry,
            properties,
        });
    }
    let crs = std::fs::read_to_string(path.with_extension("prj"))
        .ok()
        .and_then(|w| crs_from_wkt(&w));
    Ok(ImportedLayer {
        declared_crs: crs.map(|c| c.to_string()),
        features,
        crs,
    })
}

fn wkt_param(wkt: &str, name: &str) -> Option<f64> {
    let lower = wkt.to_ascii_lowercase();
    let key = format!("parameter[\"{}\",", name.to_ascii_lowercase());
    let start = lower.find(&key)? + key.len();
    let rest = &wkt[start..];
    let end = rest.find(']')?;
    rest[..end].trim().parse().ok()
}

/// Recognises a CRS liuyu supports from WKT 1 (OGC with `AUTHORITY`, or the
/// ESRI flavour GDAL writes to `.prj` files).
pub fn crs_from_wkt(wkt: &str) -> Option<CrsId> {
    let w = wkt.trim();
    let lower = w.to_ascii_lowercase();
    // OGC WKT 1: the outermost AUTHORITY is the last one.
    if let Some(pos) = lower.rfind("authority[\"epsg\",\"") {
        let rest = &w[pos + "authority[\"epsg\",\"".len()..];
        if let Some(end) = rest.find('"') {
            if let Some(id) = rest[..end].parse().ok().and_then(CrsId::from_epsg) {
                return Some(id);
            }
        }
    }
    let cgcs =
        lower.contains("china_2000") || lower.contains("china 2000") || lower.contains("cgcs2000");
    if lower.starts_with("projcs") {
        if lower.contains("mercator_auxiliary_sphere") || lower.contains("pseudo-mercator") {
            return Some(CrsId::WebMercator);
        }
        let tm = lower.contains("gauss_kruger") || lower.contains("transverse_mercator");
        let cm = wkt_param(w, "central_meridian")?;
        let fe = wkt_param(w, "false_easting")?;
        let k = wkt_param(w, "scale_factor").unwrap_or(1.0);
        let lat0 = wkt_param(w, "latitude_of_origin").unwrap_or(0.0);
        let fnorth = wkt_param(w, "false_northing").unwrap_or(0.0);
        if !(cgcs && tm && k == 1.0 && lat0 == 0.0 && fnorth == 0.0) {
            return None;
        }
        let prefixed = (fe - 500_000.0).abs() > 1e-6;
        let zone = GkZone::for_longitude(cm, prefixed)?;
        if f64::from(zone.central_meridian()) != cm || (zone.false_easting() - fe).abs() > 1e-6 {
            return None;
        }
        return Some(CrsId::GaussKruger(zone));
    }
    if lower.starts_with("geogcs") {
        if cgcs {
            return Some(CrsId::Cgcs2000);
        }
        if lower.contains("wgs_1984") || lower.contains("wgs 84") {
            return Some(CrsId::Epsg4326);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpg_labels() {
        use encoding_rs::{BIG5, GB18030, GBK, UTF_8, WINDOWS_1252};
        for (label, want) in [
            ("UTF-8", UTF_8),
            ("utf8\r\n", UTF_8),
            ("65001", UTF_8),
            ("GBK", GBK),
            ("\u{feff}936", GBK),
            ("CP936", GBK),
            ("ANSI 936", GBK),
            ("gb2312", GBK),
            ("GB18030", GB18030),
            ("54936", GB18030),
            ("BIG5", BIG5),
            ("1252", WINDOWS_1252),
            ("ISO-8859-1", WINDOWS_1252),
        ] {
            assert_eq!(cpg_encoding(label), Some(want), "{label:?}");
        }
        for bad in ["", "KLINGON-8", "99999"] {
            assert_eq!(cpg_encoding(bad), None, "{bad:?}");
        }
        // GB 2312 / GBK text decodes with the GBK decoder.
        let (bytes, _, _) = GBK.encode("武昌区");
        assert_eq!(GBK.decode(&bytes).0, "武昌区");
    }

    #[test]
    fn recognises_gdal_esri_prj() {
        let w = r#"PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(
            crs_from_wkt(w).map(|c| c.to_string()).as_deref(),
            Some("EPSG:4547")
        );
        let z = w.replace("500000.0", "38500000.0");
        assert_eq!(
            crs_from_wkt(&z).map(|c| c.to_string()).as_deref(),
            Some("EPSG:4526")
        );
        let off = w.replace("114.0", "114.5");
        assert_eq!(crs_from_wkt(&off), None);
        for id in ["EPSG:4490", "EPSG:3857", "EPSG:4527", "EPSG:4326"] {
            let c = CrsId::parse(id).expect("id");
            let wkt = crate::formats::crs_defs::wkt1(c).expect("wkt");
            assert_eq!(crs_from_wkt(&wkt), Some(c), "{id}");
        }
    }
}
