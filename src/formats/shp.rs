//! ESRI Shapefile writer (`shapefile` + `dbase` crates) with `.prj` (WKT 1,
//! EPSG authority) and `.cpg` (`UTF-8`) sidecars, and the layer provenance in
//! `<layer>.provenance.json`.
//!
//! DBF limits: field names are cut to 10 bytes (made unique with a numeric
//! suffix), text to 254 bytes (cut at a character boundary); integers are
//! `N(18,0)`, floats `N(24,10)`, booleans `L`.

use std::collections::HashSet;
use std::path::Path;

use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};

use super::crs_defs;
use super::export::Prepared;
use super::schema::{cell, Cell, ColType};
use super::FormatError;

const MAX_TEXT: usize = 254;

fn shp(e: impl std::fmt::Display) -> FormatError {
    FormatError::codec("shapefile", e)
}

/// DBF field names (≤ 10 bytes, unique, ASCII) for the given column names.
pub fn dbf_field_names(names: &[String]) -> Vec<String> {
    let mut used = HashSet::new();
    names
        .iter()
        .map(|n| {
            let base: String = n
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(10)
                .collect();
            let mut name = base.clone();
            let mut k = 1;
            while !used.insert(name.to_ascii_lowercase()) {
                let suffix = k.to_string();
                name = format!("{}{}", &base[..base.len().min(10 - suffix.len())], suffix);
                k += 1;
            }
            name
        })
        .collect()
}

fn truncate(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_string();
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Writes the prepared layer as `<path>` (.shp) plus sidecars.
pub fn write(p: &Prepared, path: &Path) -> Result<(), FormatError> {
    let names = dbf_field_names(&p.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
    let mut builder = TableWriterBuilder::new();
    for (c, n) in p.columns.iter().zip(&names) {
        let fname = FieldName::try_from(n.as_str()).map_err(shp)?;
        builder = match c.ty {
            ColType::Int => builder.add_numeric_field(fname, 18, 0),
            ColType::Float => builder.add_numeric_field(fname, 24, 10),
            ColType::Bool => builder.add_logical_field(fname),
            ColType::Str => {
                let len = p
                    .features
                    .iter()
                    .map(|f| match cell(f, c) {
                        Cell::Str(s) => truncate(&s).len(),
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(1)
                    .clamp(1, MAX_TEXT);
                builder.add_character_field(fname, u8::try_from(len).unwrap_or(254))
            }
        };
    }
    let mut writer = shapefile::Writer::from_path(path, builder).map_err(shp)?;
    for f in &p.features {
        let mut rec = Record::default();
        for (c, n) in p.columns.iter().zip(&names) {
            let v = match (c.ty, cell(f, c)) {
                (ColType::Str, Cell::Str(s)) => FieldValue::Character(Some(truncate(&s))),
                (ColType::Str, _) => FieldValue::Character(None),
                (ColType::Int, Cell::Int(i)) => FieldValue::Numeric(Some(i as f64)),
                (ColType::Float, Cell::Float(x)) => FieldValue::Numeric(Some(x)),
                (ColType::Int | ColType::Float, _) => FieldValue::Numeric(None),
                (ColType::Bool, Cell::Bool(b)) => FieldValue::Logical(Some(b)),
                (ColType::Bool, _) => FieldValue::Logical(None),
            };
            rec.insert(n.clone(), v);
        }
        let shape = shapefile::Polygon::from(f.geometry.clone());
        writer.write_shape_and_record(&shape, &rec).map_err(shp)?;
    }
    drop(writer);
    let sidecar = |ext: &str, text: String| {
        let p = path.with_extension(ext);
        std::fs::write(&p, text).map_err(|e| FormatError::io(&p, e))
    };
    if let Some(wkt) = crs_defs::wkt1(p.crs) {
        sidecar("prj", wkt)?;
    }
    sidecar("cpg", "UTF-8".into())?;
    sidecar(
        "provenance.json",
        serde_json::json!({"layer": p.name, "crs": p.crs, "provenance": p.provenance}).to_string(),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_short_and_unique() {
        let names: Vec<String> = ["straddles_divide", "straddles_x", "name", "NAME", "标签"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let got = dbf_field_names(&names);
        assert_eq!(got, vec!["straddles_", "straddles1", "name", "NAME1", "__"]);
        assert!(got.iter().all(|n| n.len() <= 10));
    }

    #[test]
    fn truncates_at_char_boundary() {
        let s = "湖".repeat(100); // 300 bytes
        let t = truncate(&s);
        assert!(t.len() <= MAX_TEXT && t.len() == 252);
    }
}
