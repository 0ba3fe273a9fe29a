//! The request of `POST /v1/issues/analyze` (and `liuyu issue`) and why an
//! analysis can be refused.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::footprint::FootprintError;
use super::super::jurisdiction::JurisdictionError;
use super::super::names::NameError;

/// The request of `POST /v1/issues/analyze`.
///
/// Built with struct-update syntax from [`Default`] in Rust code
/// (`AnalyzeRequest { matter: "air".into(), ..Default::default() }`), so a
/// member added later (such as a wind for air matters) breaks no caller.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeRequest {
    /// Matter: a catalog id, alias, Chinese or English name (`straw_burning`,
    /// `秸秆焚烧`). A matter the catalog does not know is answered with "to be
    /// designated by the committee" (七); a name that partly matches catalog
    /// matters is refused with the candidates.
    pub matter: String,
    /// A GeoJSON geometry, Feature or FeatureCollection (lon/lat).
    #[serde(default)]
    pub footprint: Option<Value>,
    /// Or a list of places: adcodes or names (county, prefecture or province:
    /// `420100`, `武汉市`, `武汉`, `江汉区`).
    #[serde(default)]
    pub places: Option<Vec<String>>,
    /// The issue involves a suspected crime (adds the judicial linkage, 十八).
    #[serde(default)]
    pub suspected_crime: bool,
    /// CRS of the footprint's coordinates (坐标系): a string such as
    /// `"EPSG:4547"` or `"gcj02"`, or the pre-RFC 7946 named-CRS object GDAL
    /// writes. Absent: WGS 84 lon/lat, or the footprint's own `crs` member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<Value>,
    /// For air matters (十四): the wind (one steady wind or an hourly series,
    /// as in `POST /v1/air/downwind`); the answer then lists the downwind
    /// parties and whom to notify (`downwind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind: Option<crate::air::WindInput>,
}

impl AnalyzeRequest {
    /// Applies a `crs` given outside the body (`?crs=`, `--crs`): it must name
    /// the same CRS as the body's `crs` member when both are present.
    pub fn with_query_crs(mut self, crs: &str) -> Result<Self, AnalyzeError> {
        let given = crate::crs::parse_crs_param(Some(crs)).map_err(bad_crs)?;
        let body = crate::crs::http::crs_member(self.crs.as_ref()).map_err(bad_crs)?;
        if let Some(b) = body.filter(|b| *b != given) {
            return Err(AnalyzeError::BadCrs(format!(
                "the crs parameter ({given}) and the body's `crs` member ({b}) differ"
            )));
        }
        self.crs = Some(Value::String(given.to_string()));
        Ok(self)
    }

    /// The CRS of the footprint and whether one was given: the request's
    /// `crs` member and the footprint's own `crs` member (a GeoJSON object
    /// exported with one) must agree; neither means WGS 84 lon/lat.
    pub fn footprint_crs(&self) -> Result<(crate::crs::CrsId, bool), AnalyzeError> {
        let req = crate::crs::http::crs_member(self.crs.as_ref()).map_err(bad_crs)?;
        let own = match self.footprint.as_ref().and_then(|f| f.get("crs")) {
            None => None,
            Some(c) => crate::crs::http::crs_member(Some(c))
                .map_err(|e| AnalyzeError::BadCrs(format!("the footprint's `crs` member: {e}")))?,
        };
        match (req, own) {
            (Some(a), Some(b)) if a != b => Err(AnalyzeError::BadCrs(format!(
                "the request's crs ({a}) and the footprint's `crs` member ({b}) differ"
            ))),
            (Some(a), _) | (None, Some(a)) => Ok((a, true)),
            (None, None) => Ok((crate::crs::CrsId::Crs84, false)),
        }
    }
}

pub(super) fn bad_crs(e: crate::crs::CrsError) -> AnalyzeError {
    AnalyzeError::BadCrs(e.to_string())
}

/// Why an analysis was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyzeError {
    /// The request is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// The footprint is refused (400, or 413 for too many vertices).
    #[error(transparent)]
    Footprint(#[from] FootprintError),
    /// The overlay failed or the places are unknown (400/422).
    #[error(transparent)]
    Jurisdiction(#[from] JurisdictionError),
    /// A place or matter name is ambiguous or unknown (400, with candidates).
    #[error("{error}")]
    Name {
        /// The request member (`places`, `matter`).
        parameter: &'static str,
        /// The refusal, with candidates.
        error: NameError,
    },
    /// The CRS (坐标系) is unknown, or two given CRSs disagree (400, `parameter: crs`).
    #[error("{0}")]
    BadCrs(String),
    /// The wind is refused: invalid, or given for a matter that is not an
    /// air matter or without a footprint (400, `path`), or beyond what the
    /// estimate covers (422).
    #[error(transparent)]
    Wind(crate::air::WindError),
    /// The footprint does not touch Hubei (422).
    #[error("the footprint does not touch Hubei; this document governs only Hubei")]
    OutsideHubei,
}
