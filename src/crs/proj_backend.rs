//! PROJ-backed conversion for any EPSG code (cargo feature `proj`, links the
//! system PROJ library, Debian `libproj-dev`).
//!
//! PROJ handles are neither `Send` nor `Sync`, so this keeps one handle per
//! thread and per (code, direction) in a thread-local cache; the public type
//! only stores the EPSG code and is freely shareable.

use std::cell::RefCell;
use std::collections::HashMap;

use proj::Proj;

use super::CrsError;

thread_local! {
    static CACHE: RefCell<HashMap<(String, String), Proj>> = RefCell::new(HashMap::new());
}

/// Converts `(x, y)` from CRS `from` to CRS `to` (PROJ strings such as
/// `"OGC:CRS84"` or `"EPSG:4547"`) in PROJ's visualisation axis order
/// (lon/lat, easting/northing).
pub fn convert(from: &str, to: &str, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (from.to_string(), to.to_string());
        if !cache.contains_key(&key) {
            let p = Proj::new_known_crs(from, to, None)
                .map_err(|e| CrsError::Projection(e.to_string()))?;
            cache.insert(key.clone(), p);
        }
        let p = cache
            .get(&key)
            .ok_or_else(|| CrsError::Projection("PROJ cache".into()))?;
        p.convert((x, y))
            .map_err(|e| CrsError::Projection(e.to_string()))
    })
}

/// A conversion between WGS 84 lon/lat and one EPSG CRS, done by PROJ.
#[derive(Debug, Clone)]
pub struct ProjTransform {
    code: String,
}

impl ProjTransform {
    /// Checks that PROJ knows `EPSG:code` and returns the transform.
    pub fn new(code: u32) -> Result<Self, CrsError> {
        let t = Self {
            code: format!("EPSG:{code}"),
        };
        // Build the handle once to report unknown codes early.
        CACHE.with(|cache| {
            let key = ("OGC:CRS84".to_string(), t.code.clone());
            if let std::collections::hash_map::Entry::Vacant(slot) = cache.borrow_mut().entry(key) {
                let p = Proj::new_known_crs("OGC:CRS84", &t.code, None)
                    .map_err(|e| CrsError::Unknown(format!("{}: {e}", t.code)))?;
                slot.insert(p);
            }
            Ok::<(), CrsError>(())
        })?;
        Ok(t)
    }

    /// WGS 84 lon/lat → this CRS.
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
        convert("OGC:CRS84", &self.code, lon, lat)
    }

    /// This CRS → WGS 84 lon/lat.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        convert(&self.code, "OGC:CRS84", x, y)
    }
}
