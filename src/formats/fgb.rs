//! FlatGeobuf writer (with packed Hilbert R-tree index) via the `flatgeobuf`
//! crate; CRS in the header (EPSG code + WKT), provenance in the header
//! `metadata` as JSON.

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};

use super::crs_defs;
use super::export::Prepared;
use super::schema::{cell, Cell, ColType};
use super::FormatError;

/// Encodes the prepared layer as FlatGeobuf bytes.
pub fn write(p: &Prepared) -> Result<Vec<u8>, FormatError> {
    let wkt = crs_defs::wkt1(p.crs);
    let metadata = serde_json::json!({"provenance": p.provenance, "crs": p.crs}).to_string();
    let code = p.crs.epsg().map_or(0, |c| i32::try_from(c).unwrap_or(0));
    let options = FgbWriterOptions {
        write_index: true,
        crs: FgbCrs {
            org: Some("EPSG"),
            code,
            wkt: wkt.as_deref(),
            ..Default::default()
        },
        title: Some(&p.name),
        metadata: Some(&metadata),
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(&p.name, GeometryType::MultiPolygon, options)
        .map_err(|e| FormatError::codec("flatgeobuf", e))?;
    for c in &p.columns {
        let ty = match c.ty {
            ColType::Int => ColumnType::Long,
            ColType::Float => ColumnType::Double,
            ColType::Bool => ColumnType::Bool,
            ColType::Str => ColumnType::String,
        };
        fgb.add_column(&c.name, ty, |_, col| col.nullable = c.name != "id");
    }
    for f in &p.features {
        let geom = geo::Geometry::MultiPolygon(f.geometry.clone());
        let mut err = None;
        fgb.add_feature_geom(geom, |w| {
            for (i, c) in p.columns.iter().enumerate() {
                let v = cell(f, c);
                let r = match &v {
                    Cell::Null => continue,
                    Cell::Int(n) => w.property(i, &c.name, &ColumnValue::Long(*n)),
                    Cell::Float(x) => w.property(i, &c.name, &ColumnValue::Double(*x)),
                    Cell::Bool(b) => w.property(i, &c.name, &ColumnValue::Bool(*b)),
                    Cell::Str(s) => w.property(i, &c.name, &ColumnValue::String(s)),
                };
                if let Err(e) = r {
                    err = Some(e);
                }
            }
        })
        .map_err(|e| FormatError::codec("flatgeobuf", e))?;
        if let Some(e) = err {
            return Err(FormatError::codec("flatgeobuf", e));
        }
    }
    let mut out = Vec::new();
    fgb.write(&mut out)
        .map_err(|e| FormatError::codec("flatgeobuf", e))?;
    Ok(out)
}
