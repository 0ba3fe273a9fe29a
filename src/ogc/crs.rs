//! Coordinate reference systems (坐标参考系) of the OGC API: CRS84, EPSG:4326 and
//! EPSG:4490 (CGCS2000, 国家2000) with their latitude-first axis order, and
//! EPSG:3857. All transforms go through [`Crs::from_lonlat`] / [`Crs::to_lonlat`]
//! so a fuller CRS module can replace this one in one place.
//! CGCS2000 equals WGS 84 at map scale, so 4490 differs from 4326 only in name.

use crate::tiles::mercator::{lonlat_to_merc, merc_to_lonlat};

/// A supported CRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// OGC CRS84: WGS 84, longitude then latitude (the GeoJSON default).
    Crs84,
    /// EPSG:4326: WGS 84, latitude then longitude.
    Epsg4326,
    /// EPSG:4490: CGCS2000 (中国2000国家大地坐标系), latitude then longitude.
    Epsg4490,
    /// EPSG:3857: Web Mercator metres, easting then northing.
    Epsg3857,
}

impl Crs {
    /// Every supported CRS, storage CRS first.
    pub const ALL: [Crs; 4] = [Crs::Crs84, Crs::Epsg4326, Crs::Epsg4490, Crs::Epsg3857];

    /// The OGC URI.
    pub fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Epsg4326 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::Epsg4490 => "http://www.opengis.net/def/crs/EPSG/0/4490",
            Crs::Epsg3857 => "http://www.opengis.net/def/crs/EPSG/0/3857",
        }
    }

    /// Parse a URI, a safe CURIE (`[EPSG:4326]`) or a short code (`EPSG:4326`, `CRS84`).
    pub fn parse(s: &str) -> Option<Crs> {
        let s = s.trim().trim_start_matches('[').trim_end_matches(']');
        let s = s
            .strip_prefix("https://")
            .map(|r| format!("http://{r}"))
            .unwrap_or_else(|| s.to_string());
        Crs::ALL
            .into_iter()
            .find(|c| c.uri() == s)
            .or(match s.to_ascii_uppercase().as_str() {
                "CRS84" | "OGC:CRS84" => Some(Crs::Crs84),
                "EPSG:4326" => Some(Crs::Epsg4326),
                "EPSG:4490" => Some(Crs::Epsg4490),
                "EPSG:3857" => Some(Crs::Epsg3857),
                _ => None,
            })
    }

    /// Coordinates in this CRS's axis order from lon/lat degrees.
    pub fn from_lonlat(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (lon, lat),
            Crs::Epsg4326 | Crs::Epsg4490 => (lat, lon),
            Crs::Epsg3857 => lonlat_to_merc(lon, lat),
        }
    }

    /// Lon/lat degrees from coordinates in this CRS's axis order.
    pub fn to_lonlat(self, a: f64, b: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (a, b),
            Crs::Epsg4326 | Crs::Epsg4490 => (b, a),
            Crs::Epsg3857 => merc_to_lonlat(a, b),
        }
    }

    /// Decimal places worth writing (about 1 cm).
    pub fn decimals(self) -> i32 {
        match self {
            Crs::Epsg3857 => 2,
            _ => 7,
        }
    }

    /// A bbox given in this CRS (`[minA, minB, maxA, maxB]` in axis order) as
    /// `(west, south, east, north)` degrees.
    pub fn bbox_to_lonlat(self, b: [f64; 4]) -> (f64, f64, f64, f64) {
        let (x0, y0) = self.to_lonlat(b[0], b[1]);
        let (x1, y1) = self.to_lonlat(b[2], b[3]);
        (x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms_and_axis_order() {
        assert_eq!(
            Crs::parse("http://www.opengis.net/def/crs/EPSG/0/4490"),
            Some(Crs::Epsg4490)
        );
        assert_eq!(Crs::parse("[EPSG:4326]"), Some(Crs::Epsg4326));
        assert_eq!(Crs::parse("crs84"), Some(Crs::Crs84));
        assert_eq!(Crs::parse("EPSG:9999"), None);
        assert_eq!(Crs::Epsg4326.from_lonlat(114.0, 30.0), (30.0, 114.0));
        assert_eq!(Crs::Epsg4490.to_lonlat(30.0, 114.0), (114.0, 30.0));
        let (x, y) = Crs::Epsg3857.from_lonlat(114.0, 30.0);
        let (lon, lat) = Crs::Epsg3857.to_lonlat(x, y);
        assert!((lon - 114.0).abs() < 1e-9 && (lat - 30.0).abs() < 1e-9);
        assert_eq!(
            Crs::Epsg4326.bbox_to_lonlat([30.0, 114.0, 31.0, 115.0]),
            (114.0, 30.0, 115.0, 31.0)
        );
    }
}
