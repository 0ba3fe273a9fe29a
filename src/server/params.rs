//! Query parameter parsing shared by every route (查询参数): required finite
//! numbers and a range-checked WGS 84 point.

use super::problem::Problem;
use std::collections::HashMap;

/// Parse a required finite number query parameter.
pub fn number_param(q: &HashMap<String, String>, name: &str) -> Result<f64, Problem> {
    let raw = q.get(name).ok_or_else(|| {
        Problem::bad_request(format!("missing query parameter `{name}`")).with("parameter", name)
    })?;
    let v: f64 = raw.trim().parse().map_err(|_| {
        Problem::bad_request(format!(
            "query parameter `{name}` must be a number, got `{raw}`"
        ))
        .with("parameter", name)
    })?;
    if !v.is_finite() {
        return Err(Problem::bad_request(format!(
            "query parameter `{name}` must be finite, got `{raw}`"
        ))
        .with("parameter", name));
    }
    Ok(v)
}

/// Parse and range-check `lon` and `lat`.
pub fn lon_lat(q: &HashMap<String, String>) -> Result<(f64, f64), Problem> {
    let lon = number_param(q, "lon")?;
    let lat = number_param(q, "lat")?;
    crate::locate::check_lon_lat(lon, lat).map_err(Problem::bad_request)?;
    Ok((lon, lat))
}
