//! Coordinate reference systems (坐标参考系): parsing `crs=` / `--crs` values and
//! converting coordinates to and from WGS 84 longitude/latitude.
//!
//! Supported in the default, pure-Rust build:
//!
//! | value (case-insensitive)                 | CRS                                                  |
//! |------------------------------------------|------------------------------------------------------|
//! | `CRS84`, `OGC:CRS84`, `WGS84`            | WGS 84 longitude/latitude (the default)               |
//! | `EPSG:4326`, `4326`                      | WGS 84 (axis order here is always lon, lat)           |
//! | `EPSG:4490`, `CGCS2000`                  | CGCS2000 geographic (2000国家大地坐标系)               |
//! | `EPSG:3857`, `webmercator`               | Web Mercator (metres)                                 |
//! | `EPSG:4513`–`EPSG:4533`                  | CGCS2000 3° Gauss-Krüger zones 25–45, zone prefix      |
//! | `EPSG:4534`–`EPSG:4554`                  | CGCS2000 3° Gauss-Krüger CM 75°E–135°E, no prefix      |
//! | `GCJ02`, `GCJ-02`                        | GCJ-02 (国测局, Amap/Tencent)                          |
//! | `BD09`, `BD-09`                          | BD-09 (百度, Baidu)                                    |
//!
//! The URN and URL spellings (`urn:ogc:def:crs:EPSG::4547`,
//! `http://www.opengis.net/def/crs/EPSG/0/4547`) are accepted too. With the
//! cargo feature `proj`, any other EPSG code is accepted and converted by PROJ.
//!
//! Axis order is always x = longitude/easting, y = latitude/northing, whatever
//! the EPSG registry says (as GeoJSON and PROJ's "visualisation order" do).
//!
//! CGCS2000 and WGS 84 differ by a few centimetres (GRS 80 vs WGS 84 ellipsoid
//! flattening and datum realisation); as PROJ does without a grid, they are
//! treated as identical here.

pub mod gauss_kruger;
pub mod gcj02;
pub mod http;
#[cfg(feature = "proj")]
pub mod proj_backend;
pub mod web_mercator;

use std::fmt;

use serde::{Serialize, Serializer};

pub use gauss_kruger::{GkTransform, GkZone};

/// Errors from parsing or applying a CRS.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum CrsError {
    /// The CRS string is not one this build understands.
    #[error("unknown or unsupported CRS {0:?}; supported: CRS84, EPSG:4326, EPSG:4490, EPSG:3857, EPSG:4513-4554 (CGCS2000 3-degree Gauss-Kruger), GCJ02, BD09 (any EPSG code with the `proj` feature)")]
    Unknown(String),
    /// A coordinate is not finite or is outside the CRS's domain.
    #[error("coordinate ({x}, {y}) is outside the valid range of {crs}")]
    OutOfDomain {
        /// The CRS in which the coordinate was given.
        crs: String,
        /// First coordinate (longitude or easting).
        x: f64,
        /// Second coordinate (latitude or northing).
        y: f64,
    },
    /// The projection engine failed.
    #[error("projection failed: {0}")]
    Projection(String),
}

/// Identifier of a supported CRS (坐标系标识).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CrsId {
    /// OGC:CRS84, WGS 84 longitude/latitude (the API's default).
    #[default]
    Crs84,
    /// EPSG:4326, WGS 84 (used here in lon/lat order).
    Epsg4326,
    /// EPSG:4490, CGCS2000 geographic (2000国家大地坐标系).
    Cgcs2000,
    /// EPSG:3857, Web Mercator.
    WebMercator,
    /// A CGCS2000 3-degree Gauss-Krüger zone (EPSG:4513–4554).
    GaussKruger(GkZone),
    /// GCJ-02 (火星坐标, 国测局坐标), used by Amap and Tencent maps.
    Gcj02,
    /// BD-09 (百度坐标), used by Baidu maps.
    Bd09,
    /// Any other EPSG code, converted by PROJ (only with the `proj` feature).
    Epsg(u32),
}

impl CrsId {
    /// Parses a CRS string (see the module docs for the accepted spellings).
    pub fn parse(s: &str) -> Result<Self, CrsError> {
        let raw = s.trim();
        let t = raw.to_ascii_lowercase();
        let t = t.as_str();
        match t {
            "crs84"
            | "ogc:crs84"
            | "urn:ogc:def:crs:ogc:1.3:crs84"
            | "urn:ogc:def:crs:ogc::crs84"
            | "http://www.opengis.net/def/crs/ogc/1.3/crs84"
            | "https://www.opengis.net/def/crs/ogc/1.3/crs84"
            | "wgs84"
            | "wgs 84"
            | "wgs-84" => return Ok(Self::Crs84),
            "cgcs2000" => return Ok(Self::Cgcs2000),
            "webmercator" | "web_mercator" | "web-mercator" | "epsg:900913" => {
                return Ok(Self::WebMercator)
            }
            "gcj02" | "gcj-02" | "gcj_02" => return Ok(Self::Gcj02),
            "bd09" | "bd-09" | "bd_09" | "bd09ll" => return Ok(Self::Bd09),
            _ => {}
        }
        let code = [
            "epsg:",
            "urn:ogc:def:crs:epsg::",
            "http://www.opengis.net/def/crs/epsg/0/",
            "https://www.opengis.net/def/crs/epsg/0/",
        ]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
        let code: u32 = code
            .parse()
            .map_err(|_| CrsError::Unknown(raw.to_string()))?;
        Self::from_epsg(code).ok_or_else(|| CrsError::Unknown(raw.to_string()))
    }

    /// The CRS for an EPSG code, if this build supports it.
    pub fn from_epsg(code: u32) -> Option<Self> {
        match code {
            4326 => Some(Self::Epsg4326),
            4490 => Some(Self::Cgcs2000),
            3857 => Some(Self::WebMercator),
            c => match GkZone::from_epsg(c) {
                Some(z) => Some(Self::GaussKruger(z)),
                None if cfg!(feature = "proj") => Some(Self::Epsg(c)),
                None => None,
            },
        }
    }

    /// The EPSG code, if the CRS has one (GCJ-02, BD-09 and CRS84 do not).
    pub fn epsg(self) -> Option<u32> {
        match self {
            Self::Crs84 | Self::Gcj02 | Self::Bd09 => None,
            Self::Epsg4326 => Some(4326),
            Self::Cgcs2000 => Some(4490),
            Self::WebMercator => Some(3857),
            Self::GaussKruger(z) => Some(z.epsg()),
            Self::Epsg(c) => Some(c),
        }
    }

    /// Whether coordinates are longitude/latitude degrees (else metres).
    pub fn is_geographic(self) -> bool {
        matches!(
            self,
            Self::Crs84 | Self::Epsg4326 | Self::Cgcs2000 | Self::Gcj02 | Self::Bd09
        )
    }

    /// Whether this CRS is WGS 84 (or CGCS2000) lon/lat, i.e. needs no conversion.
    pub fn is_wgs84_lonlat(self) -> bool {
        matches!(self, Self::Crs84 | Self::Epsg4326 | Self::Cgcs2000)
    }

    /// A human-readable name (English, with the Chinese term).
    pub fn name(self) -> String {
        match self {
            Self::Crs84 => "WGS 84 longitude/latitude".into(),
            Self::Epsg4326 => "WGS 84".into(),
            Self::Cgcs2000 => "CGCS2000 (2000国家大地坐标系)".into(),
            Self::WebMercator => "WGS 84 / Pseudo-Mercator".into(),
            Self::GaussKruger(z) if z.prefixed => format!(
                "CGCS2000 / 3-degree Gauss-Kruger zone {} (CM {}E, zone prefix)",
                z.zone,
                z.central_meridian()
            ),
            Self::GaussKruger(z) => format!(
                "CGCS2000 / 3-degree Gauss-Kruger CM {}E",
                z.central_meridian()
            ),
            Self::Gcj02 => "GCJ-02 (国测局坐标)".into(),
            Self::Bd09 => "BD-09 (百度坐标)".into(),
            Self::Epsg(c) => format!("EPSG:{c} (via PROJ)"),
        }
    }

    /// Unit of the coordinates: `"degree"` or `"metre"` (PROJ decides for
    /// arbitrary EPSG codes; reported as `"unknown"` here).
    pub fn unit(self) -> &'static str {
        match self {
            Self::Epsg(_) => "unknown",
            s if s.is_geographic() => "degree",
            _ => "metre",
        }
    }
}

impl fmt::Display for CrsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Crs84 => f.write_str("OGC:CRS84"),
            Self::Gcj02 => f.write_str("GCJ-02"),
            Self::Bd09 => f.write_str("BD-09"),
            other => match other.epsg() {
                Some(c) => write!(f, "EPSG:{c}"),
                None => f.write_str("unknown"),
            },
        }
    }
}

impl std::str::FromStr for CrsId {
    type Err = CrsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CrsId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parses an optional `crs=` query parameter (or `--crs` flag); absent or
/// empty means [`CrsId::Crs84`].
pub fn parse_crs_param(value: Option<&str>) -> Result<CrsId, CrsError> {
    match value.map(str::trim) {
        None | Some("") => Ok(CrsId::Crs84),
        Some(v) => CrsId::parse(v),
    }
}

/// Converts one point (坐标转换) given in the CRS named `crs` (a `--crs` value)
/// to WGS 84 lon/lat; returns the CRS used and the converted point.
pub fn point_to_wgs84(crs: &str, x: f64, y: f64) -> Result<(CrsId, (f64, f64)), CrsError> {
    let c = Crs::new(parse_crs_param(Some(crs))?)?;
    Ok((c.id(), c.to_wgs84(x, y)?))
}

/// The conversion engine behind a [`Crs`].
#[derive(Debug)]
enum Engine {
    Identity,
    WebMercator,
    GaussKruger(Box<GkTransform>),
    Gcj02,
    Bd09,
    #[cfg(feature = "proj")]
    Proj(proj_backend::ProjTransform),
}

/// A resolved CRS that converts coordinates to and from WGS 84 lon/lat.
///
/// Build it once and reuse it: constructing a Gauss-Krüger or PROJ transform
/// parses a definition. `Crs` is `Send + Sync`.
#[derive(Debug)]
pub struct Crs {
    id: CrsId,
    engine: Engine,
}

impl Default for Crs {
    /// OGC:CRS84 (WGS 84 lon/lat): converts nothing.
    fn default() -> Self {
        Self {
            id: CrsId::Crs84,
            engine: Engine::Identity,
        }
    }
}

impl Crs {
    /// Builds the converter for `id`.
    pub fn new(id: CrsId) -> Result<Self, CrsError> {
        let engine = match id {
            CrsId::Crs84 | CrsId::Epsg4326 | CrsId::Cgcs2000 => Engine::Identity,
            CrsId::WebMercator => Engine::WebMercator,
            CrsId::GaussKruger(z) => Engine::GaussKruger(Box::new(GkTransform::new(z)?)),
            CrsId::Gcj02 => Engine::Gcj02,
            CrsId::Bd09 => Engine::Bd09,
            #[cfg(feature = "proj")]
            CrsId::Epsg(c) => Engine::Proj(proj_backend::ProjTransform::new(c)?),
            #[cfg(not(feature = "proj"))]
            CrsId::Epsg(c) => return Err(CrsError::Unknown(format!("EPSG:{c}"))),
        };
        Ok(Self { id, engine })
    }

    /// Parses and builds in one step.
    pub fn parse(s: &str) -> Result<Self, CrsError> {
        Self::new(CrsId::parse(s)?)
    }

    /// The CRS identifier.
    pub fn id(&self) -> CrsId {
        self.id
    }

    fn out_of_domain(&self, x: f64, y: f64) -> CrsError {
        CrsError::OutOfDomain {
            crs: self.id.to_string(),
            x,
            y,
        }
    }

    fn check_lonlat(&self, lon: f64, lat: f64) -> Result<(), CrsError> {
        if lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0 {
            Ok(())
        } else {
            Err(self.out_of_domain(lon, lat))
        }
    }

    /// Converts `(x, y)` in this CRS to WGS 84 `(lon, lat)` degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        if !x.is_finite() || !y.is_finite() {
            return Err(self.out_of_domain(x, y));
        }
        let out = match &self.engine {
            Engine::Identity => {
                self.check_lonlat(x, y)?;
                (x, y)
            }
            Engine::WebMercator => {
                let lim = web_mercator::MAX_XY * (1.0 + 1e-9);
                if x.abs() > lim || y.abs() > lim {
                    return Err(self.out_of_domain(x, y));
                }
                web_mercator::inverse(x, y)
            }
            Engine::GaussKruger(t) => t.inverse(x, y)?,
            Engine::Gcj02 => {
                self.check_lonlat(x, y)?;
                gcj02::gcj02_to_wgs84(x, y)
            }
            Engine::Bd09 => {
                self.check_lonlat(x, y)?;
                gcj02::bd09_to_wgs84(x, y)
            }
            #[cfg(feature = "proj")]
            Engine::Proj(p) => p.to_wgs84(x, y)?,
        };
        if out.0.is_finite()
            && out.1.is_finite()
            && out.0.abs() <= 180.0 + 1e-9
            && out.1.abs() <= 90.0
        {
            Ok(out)
        } else {
            Err(self.out_of_domain(x, y))
        }
    }

    /// Converts WGS 84 `(lon, lat)` degrees to `(x, y)` in this CRS.
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
        self.check_lonlat(lon, lat)?;
        let out = match &self.engine {
            Engine::Identity => (lon, lat),
            Engine::WebMercator => {
                if lat.abs() > web_mercator::MAX_LAT {
                    return Err(self.out_of_domain(lon, lat));
                }
                web_mercator::forward(lon, lat)
            }
            Engine::GaussKruger(t) => t.forward(lon, lat)?,
            Engine::Gcj02 => gcj02::wgs84_to_gcj02(lon, lat),
            Engine::Bd09 => gcj02::wgs84_to_bd09(lon, lat),
            #[cfg(feature = "proj")]
            Engine::Proj(p) => p.from_wgs84(lon, lat)?,
        };
        if out.0.is_finite() && out.1.is_finite() {
            Ok(out)
        } else {
            Err(self.out_of_domain(lon, lat))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spellings() {
        for (s, want) in [
            ("CRS84", "OGC:CRS84"),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", "OGC:CRS84"),
            ("epsg:4326", "EPSG:4326"),
            ("4490", "EPSG:4490"),
            ("CGCS2000", "EPSG:4490"),
            ("EPSG:3857", "EPSG:3857"),
            ("urn:ogc:def:crs:EPSG::4547", "EPSG:4547"),
            ("http://www.opengis.net/def/crs/EPSG/0/4526", "EPSG:4526"),
            (" gcj-02 ", "GCJ-02"),
            ("BD09", "BD-09"),
        ] {
            assert_eq!(
                CrsId::parse(s).map(|c| c.to_string()).as_deref(),
                Ok(want),
                "{s}"
            );
        }
        assert_eq!(parse_crs_param(None), Ok(CrsId::Crs84));
        assert_eq!(parse_crs_param(Some("")), Ok(CrsId::Crs84));
        for bad in ["EPSG:", "foo", "EPSG:-1", "EPSG:4326.5", "EPSG:99999999999"] {
            assert!(CrsId::parse(bad).is_err(), "{bad}");
        }
        if !cfg!(feature = "proj") {
            assert!(CrsId::parse("EPSG:32650").is_err());
        }
    }

    #[test]
    fn rejects_non_finite_and_out_of_range() {
        let c = Crs::new(CrsId::Crs84).expect("identity");
        assert!(c.to_wgs84(f64::NAN, 30.0).is_err());
        assert!(c.to_wgs84(181.0, 30.0).is_err());
        let m = Crs::new(CrsId::WebMercator).expect("mercator");
        assert!(m.from_wgs84(0.0, 89.0).is_err());
        assert!(m.to_wgs84(1e9, 0.0).is_err());
        let g = Crs::parse("EPSG:4547").expect("gk");
        assert!(g.to_wgs84(f64::INFINITY, 0.0).is_err());
    }

    #[test]
    fn crs_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Crs>();
    }
}
