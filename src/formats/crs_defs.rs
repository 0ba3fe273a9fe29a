//! CRS definitions written into exported files (坐标系定义): ESRI/OGC WKT 1
//! for `.prj` and FlatGeobuf headers, PROJJSON for GeoParquet `geo` metadata.
//!
//! The values follow PROJ 9's own output for these EPSG codes (checked by the
//! CI script: GDAL identifies each `.prj` as the intended EPSG code). GCJ-02
//! and BD-09 are not CRSs in any registry: files in them carry no definition.

use serde_json::{json, Value};

use crate::crs::{CrsId, GkZone};

const WGS84_GEOGCS: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Longitude",EAST],AXIS["Latitude",NORTH],AUTHORITY["EPSG","4326"]]"#;
const CGCS2000_GEOGCS: &str = r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Longitude",EAST],AXIS["Latitude",NORTH],AUTHORITY["EPSG","4490"]]"#;

fn gk_name(z: GkZone) -> String {
    if z.prefixed {
        format!("CGCS2000 / 3-degree Gauss-Kruger zone {}", z.zone)
    } else {
        format!(
            "CGCS2000 / 3-degree Gauss-Kruger CM {}E",
            z.central_meridian()
        )
    }
}

/// OGC WKT 1 with EPSG authority (lon/lat, easting/northing axis order as
/// written by liuyu), or `None` for GCJ-02, BD-09 and PROJ-only codes.
pub fn wkt1(id: CrsId) -> Option<String> {
    match id {
        CrsId::Crs84 | CrsId::Epsg4326 => Some(WGS84_GEOGCS.to_string()),
        CrsId::Cgcs2000 => Some(CGCS2000_GEOGCS.to_string()),
        CrsId::WebMercator => Some(format!(
            r#"PROJCS["WGS 84 / Pseudo-Mercator",{WGS84_GEOGCS},PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#
        )),
        CrsId::GaussKruger(z) => Some(format!(
            r#"PROJCS["{}",{CGCS2000_GEOGCS},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{}],PARAMETER["scale_factor",1],PARAMETER["false_easting",{}],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","{}"]]"#,
            gk_name(z),
            z.central_meridian(),
            z.false_easting(),
            z.epsg()
        )),
        CrsId::Gcj02 | CrsId::Bd09 | CrsId::Epsg(_) => None,
    }
}

fn geographic(name: &str, datum: &str, ellps: &str, inv_f: f64, code: u32) -> Value {
    json!({
        "type": "GeographicCRS",
        "name": name,
        "datum": {"type": "GeodeticReferenceFrame", "name": datum,
                  "ellipsoid": {"name": ellps, "semi_major_axis": 6378137, "inverse_flattening": inv_f}},
        "coordinate_system": {"subtype": "ellipsoidal", "axis": [
            {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree"},
            {"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree"}]},
        "id": {"authority": "EPSG", "code": code}
    })
}

fn cgcs2000() -> Value {
    geographic(
        "China Geodetic Coordinate System 2000",
        "China 2000",
        "CGCS2000",
        298.257222101,
        4490,
    )
}

fn param(name: &str, value: f64, unit: &str, code: u32) -> Value {
    json!({"name": name, "value": value, "unit": unit, "id": {"authority": "EPSG", "code": code}})
}

/// PROJJSON for the GeoParquet `crs` field, with the axes as the EPSG
/// registry defines them (GeoParquet stores x = easting/longitude whatever
/// the CRS axis order says, so the definition must be the registry's own). `Ok(None)` means the default
/// (OGC:CRS84: the key is omitted); `Err(())` means no standard definition
/// (GCJ-02/BD-09: written as JSON null, "undefined CRS").
#[allow(clippy::result_unit_err)]
pub fn projjson(id: CrsId) -> Result<Option<Value>, ()> {
    let schema = "https://proj.org/schemas/v0.5/projjson.schema.json";
    let mut v = match id {
        CrsId::Crs84 => return Ok(None),
        CrsId::Epsg4326 => geographic(
            "WGS 84",
            "World Geodetic System 1984",
            "WGS 84",
            298.257223563,
            4326,
        ),
        CrsId::Cgcs2000 => cgcs2000(),
        CrsId::WebMercator => json!({
            "type": "ProjectedCRS", "name": "WGS 84 / Pseudo-Mercator",
            "base_crs": geographic("WGS 84", "World Geodetic System 1984", "WGS 84", 298.257223563, 4326),
            "conversion": {"name": "Popular Visualisation Pseudo-Mercator",
                "method": {"name": "Popular Visualisation Pseudo Mercator", "id": {"authority": "EPSG", "code": 1024}},
                "parameters": [param("Latitude of natural origin", 0.0, "degree", 8801),
                               param("Longitude of natural origin", 0.0, "degree", 8802),
                               param("False easting", 0.0, "metre", 8806),
                               param("False northing", 0.0, "metre", 8807)]},
            "coordinate_system": {"subtype": "Cartesian", "axis": [
                {"name": "Easting", "abbreviation": "X", "direction": "east", "unit": "metre"},
                {"name": "Northing", "abbreviation": "Y", "direction": "north", "unit": "metre"}]},
            "id": {"authority": "EPSG", "code": 3857}
        }),
        CrsId::GaussKruger(z) => json!({
            "type": "ProjectedCRS", "name": gk_name(z),
            "base_crs": cgcs2000(),
            "conversion": {"name": format!("3-degree Gauss-Kruger CM {}E", z.central_meridian()),
                "method": {"name": "Transverse Mercator", "id": {"authority": "EPSG", "code": 9807}},
                "parameters": [param("Latitude of natural origin", 0.0, "degree", 8801),
                               param("Longitude of natural origin", f64::from(z.central_meridian()), "degree", 8802),
                               param("Scale factor at natural origin", 1.0, "unity", 8805),
                               param("False easting", z.false_easting(), "metre", 8806),
                               param("False northing", 0.0, "metre", 8807)]},
            "coordinate_system": {"subtype": "Cartesian", "axis": [
                {"name": "Northing", "abbreviation": "X", "direction": "north", "unit": "metre"},
                {"name": "Easting", "abbreviation": "Y", "direction": "east", "unit": "metre"}]},
            "id": {"authority": "EPSG", "code": z.epsg()}
        }),
        CrsId::Epsg(c) => json!({"id": {"authority": "EPSG", "code": c}}),
        CrsId::Gcj02 | CrsId::Bd09 => return Err(()),
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("$schema".into(), json!(schema));
    }
    Ok(Some(v))
}
