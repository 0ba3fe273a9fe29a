//! CGCS2000 3-degree Gauss-Krüger zones (2000国家大地坐标系 3度带高斯-克吕格投影).
//!
//! Transverse Mercator on the CGCS2000 ellipsoid (GRS 80 parameters), scale 1
//! on the central meridian, false northing 0, false easting 500 000 m, and in
//! the "with zone prefix" variant the zone number × 1 000 000 added to the
//! easting (so 38 500 000 m is the central meridian of zone 38).
//!
//! EPSG codes: 4513–4533 are zones 25–45 *with* prefix (central meridians
//! 75°E–135°E), 4534–4554 are the same central meridians *without* prefix.
//! Hubei (108.3°E–116.2°E) is covered by zones 36–39 (central meridians 108,
//! 111, 114, 117°E): EPSG:4524–4527 and EPSG:4545–4548.
//!
//! The projection maths is `proj4rs`'s Poder/Engsager extended Transverse
//! Mercator (the same algorithm as PROJ's default `tmerc`).

use proj4rs::proj::Proj;

use super::CrsError;

/// First EPSG code of the zone-prefixed family (zone 25, CM 75°E).
pub const EPSG_PREFIXED_FIRST: u32 = 4513;
/// First EPSG code of the family without zone prefix (CM 75°E).
pub const EPSG_PLAIN_FIRST: u32 = 4534;
/// Number of zones in each family (CM 75°E … 135°E).
pub const ZONES: u32 = 21;
/// First zone number of the families (zone 25 has its CM at 75°E).
pub const FIRST_ZONE: u32 = 25;

/// One CGCS2000 3-degree Gauss-Krüger zone (投影带).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GkZone {
    /// Zone number (25–45); the central meridian is 3 × zone degrees east.
    pub zone: u32,
    /// Whether the false easting carries the zone number (EPSG:4513 family).
    pub prefixed: bool,
}

impl GkZone {
    /// The zone for an EPSG code of either family, if it is one.
    pub fn from_epsg(code: u32) -> Option<Self> {
        if (EPSG_PREFIXED_FIRST..EPSG_PREFIXED_FIRST + ZONES).contains(&code) {
            Some(Self {
                zone: FIRST_ZONE + code - EPSG_PREFIXED_FIRST,
                prefixed: true,
            })
        } else if (EPSG_PLAIN_FIRST..EPSG_PLAIN_FIRST + ZONES).contains(&code) {
            Some(Self {
                zone: FIRST_ZONE + code - EPSG_PLAIN_FIRST,
                prefixed: false,
            })
        } else {
            None
        }
    }

    /// The zone whose central meridian is nearest to `lon` (the zone a
    /// surveyor would use for a point there), if it is within the families.
    pub fn for_longitude(lon: f64, prefixed: bool) -> Option<Self> {
        if !lon.is_finite() {
            return None;
        }
        let zone = (lon / 3.0).round();
        let first = f64::from(FIRST_ZONE);
        let last = f64::from(FIRST_ZONE + ZONES - 1);
        if zone < first || zone > last {
            return None;
        }
        // In range 25..=45 checked above, so the cast is exact.
        let zone = zone as u32;
        Some(Self { zone, prefixed })
    }

    /// The EPSG code of this zone.
    pub fn epsg(self) -> u32 {
        let first = if self.prefixed {
            EPSG_PREFIXED_FIRST
        } else {
            EPSG_PLAIN_FIRST
        };
        first + self.zone - FIRST_ZONE
    }

    /// Central meridian in degrees east.
    pub fn central_meridian(self) -> u32 {
        self.zone * 3
    }

    /// False easting in metres.
    pub fn false_easting(self) -> f64 {
        if self.prefixed {
            f64::from(self.zone) * 1_000_000.0 + 500_000.0
        } else {
            500_000.0
        }
    }

    /// The PROJ string of this zone.
    pub fn proj_string(self) -> String {
        format!(
            "+proj=tmerc +lat_0=0 +lon_0={} +k=1 +x_0={} +y_0=0 +ellps=GRS80 +units=m +no_defs",
            self.central_meridian(),
            self.false_easting()
        )
    }
}

/// A ready-to-use transformer between CGCS2000 geographic and one zone.
#[derive(Debug, Clone)]
pub struct GkTransform {
    zone: GkZone,
    geographic: Proj,
    projected: Proj,
}

impl GkTransform {
    /// Builds the transformer for `zone`.
    pub fn new(zone: GkZone) -> Result<Self, CrsError> {
        let geographic = Proj::from_proj_string("+proj=longlat +ellps=GRS80 +no_defs")
            .map_err(|e| CrsError::Projection(e.to_string()))?;
        let projected = Proj::from_proj_string(&zone.proj_string())
            .map_err(|e| CrsError::Projection(e.to_string()))?;
        Ok(Self {
            zone,
            geographic,
            projected,
        })
    }

    /// The zone this transformer projects to.
    pub fn zone(&self) -> GkZone {
        self.zone
    }

    /// Longitude/latitude in degrees → easting/northing in metres.
    pub fn forward(&self, lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
        let mut p = (lon.to_radians(), lat.to_radians());
        proj4rs::transform::transform(&self.geographic, &self.projected, &mut p)
            .map_err(|e| CrsError::Projection(e.to_string()))?;
        Ok(p)
    }

    /// Easting/northing in metres → longitude/latitude in degrees.
    pub fn inverse(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        let mut p = (x, y);
        proj4rs::transform::transform(&self.projected, &self.geographic, &mut p)
            .map_err(|e| CrsError::Projection(e.to_string()))?;
        Ok((p.0.to_degrees(), p.1.to_degrees()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsg_families() {
        let z = GkZone::from_epsg(4547).expect("4547 is a plain zone");
        assert_eq!((z.zone, z.prefixed, z.central_meridian()), (38, false, 114));
        let z = GkZone::from_epsg(4527).expect("4527 is a prefixed zone");
        assert_eq!((z.zone, z.prefixed, z.central_meridian()), (39, true, 117));
        assert_eq!(GkZone::from_epsg(4512), None);
        assert_eq!(GkZone::from_epsg(4555), None);
        for code in 4513..=4554 {
            assert_eq!(GkZone::from_epsg(code).map(GkZone::epsg), Some(code));
        }
        assert_eq!(
            GkZone::for_longitude(113.4, false).map(GkZone::epsg),
            Some(4547)
        );
        assert_eq!(
            GkZone::for_longitude(108.36, true).map(GkZone::epsg),
            Some(4524)
        );
        assert_eq!(GkZone::for_longitude(f64::NAN, true), None);
        assert_eq!(GkZone::for_longitude(10.0, true), None);
    }

    #[test]
    fn central_meridian_maps_to_false_easting() {
        let t = GkTransform::new(GkZone {
            zone: 38,
            prefixed: true,
        })
        .expect("valid zone");
        let (x, y) = t.forward(114.0, 0.0).expect("projects");
        assert!((x - 38_500_000.0).abs() < 1e-6 && y.abs() < 1e-6, "{x} {y}");
    }
}
