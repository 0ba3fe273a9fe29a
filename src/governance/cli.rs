//! CLI subcommands of the governance engine: `liuyu profile`, `liuyu obligations`
//! and `liuyu issue`. They print the same JSON as the HTTP API.

use crate::cli::{fail, print_json};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::server::DataSource;

use super::analyze::{AnalyzeError, AnalyzeRequest};
use super::obligations::{parse_date, today_in_china};
use super::Governance;

/// Largest GeoJSON file `liuyu issue` reads (bytes).
pub const MAX_FILE: u64 = 64 << 20;

/// Governance subcommands (flattened into the main CLI).
#[derive(Debug, Subcommand)]
pub enum GovCommand {
    /// Governance profile of a location: bodies, first responsible persons,
    /// committees, mechanisms and reporting obligations, with clauses (JSON).
    #[command(allow_negative_numbers = true)]
    Profile {
        /// Longitude (WGS 84 / CGCS2000 degrees), or x in `--crs`.
        lon: f64,
        /// Latitude, or y in `--crs`.
        lat: f64,
        /// Date for reporting deadlines, YYYY-MM-DD (default: today, China time).
        #[arg(long)]
        date: Option<String>,
        /// CRS of the coordinates (CRS84, EPSG:4547, gcj02, bd09, ...); the answer echoes it.
        #[arg(long)]
        crs: Option<String>,
    },
    /// Reporting obligations (clauses 十一, 十二) and their next deadlines (JSON).
    Obligations {
        /// Date, YYYY-MM-DD (default: today, China time).
        #[arg(long)]
        date: Option<String>,
        /// Only this prefecture's reporters: adcode or name (420100, 武汉市, 武汉).
        #[arg(long)]
        prefecture: Option<String>,
    },
    /// Search places by name (province, prefectures, counties, rivers): the
    /// same JSON as `GET /v1/places`.
    Places {
        /// The name or part of it (武汉, 江汉区, 汉江, 4201).
        q: String,
        /// At most this many places (1-50).
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Who coordinates a cross-boundary issue (JSON).
    Issue {
        /// Matter: catalog id, alias or name (water, air, suspected_crime, 秸秆焚烧).
        #[arg(long)]
        matter: String,
        /// GeoJSON file with the footprint (geometry, Feature or FeatureCollection); `-` reads stdin.
        #[arg(long, conflicts_with = "places", required_unless_present = "places")]
        geojson: Option<PathBuf>,
        /// Comma-separated places: adcodes or names (420700,黄冈市; 武汉; 江汉区; 420000).
        #[arg(long, value_delimiter = ',')]
        places: Option<Vec<String>>,
        /// The issue involves a suspected crime (adds the judicial linkage, 十八).
        #[arg(long)]
        suspected_crime: bool,
        /// CRS of the footprint's coordinates (EPSG:4547, gcj02, ...; default: the
        /// file's own `crs` member, else WGS 84); the answer echoes it.
        #[arg(long)]
        crs: Option<String>,
    },
}

fn date_arg(d: &Option<String>) -> Result<jiff::civil::Date, ExitCode> {
    match d {
        None => Ok(today_in_china()),
        Some(d) => parse_date(d.trim()).map_err(|e| fail(e, 2)),
    }
}

fn read_geojson(path: &PathBuf) -> Result<serde_json::Value, ExitCode> {
    let mut text = String::new();
    let res = if path.as_os_str() == "-" {
        std::io::stdin().take(MAX_FILE).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE).read_to_string(&mut text))
    };
    res.map_err(|e| fail(format!("cannot read {}: {e}", path.display()), 2))?;
    serde_json::from_str(&text)
        .map_err(|e| fail(format!("{} is not valid JSON: {e}", path.display()), 2))
}

/// Runs a governance subcommand; exit code 0 ok, 1 runtime error, 2 bad input.
pub fn run(cmd: GovCommand, data: &Option<PathBuf>) -> ExitCode {
    let source = match data {
        Some(d) => DataSource::Dir(d.clone()),
        None => DataSource::Embedded,
    };
    let atlas = match source.load() {
        Ok(a) => a,
        Err(e) => return fail(e, 1),
    };
    let g = match Governance::for_source(&source) {
        Ok(g) => g.with_water(std::sync::Arc::new(crate::hydro::water::RiverWater)),
        Err(e) => return fail(e, 1),
    };
    match cmd {
        GovCommand::Profile {
            lon,
            lat,
            date,
            crs,
        } => profile(&g, &atlas, (lon, lat), &date, crs.as_deref()),
        GovCommand::Obligations { date, prefecture } => {
            let d = match date_arg(&date) {
                Ok(d) => d,
                Err(c) => return c,
            };
            match g.obligations(&atlas, d, prefecture.as_deref()) {
                Ok(a) => print_json(&a),
                Err(e) => fail(e, 2),
            }
        }
        GovCommand::Places { q, limit } => places(&g, &atlas, &q, limit),
        GovCommand::Issue {
            matter,
            geojson,
            places,
            suspected_crime,
            crs,
        } => {
            let footprint = match &geojson {
                Some(p) => match read_geojson(p) {
                    Ok(v) => Some(v),
                    Err(c) => return c,
                },
                None => None,
            };
            let req = AnalyzeRequest {
                matter,
                footprint,
                places,
                suspected_crime,
                ..Default::default()
            };
            issue(&g, &atlas, req, crs.as_deref())
        }
    }
}

/// `liuyu profile`: the point, in `crs` when given, echoed back.
fn profile(
    g: &Governance,
    atlas: &crate::atlas::Atlas,
    (lon, lat): (f64, f64),
    date: &Option<String>,
    crs: Option<&str>,
) -> ExitCode {
    let (id, (wlon, wlat)) = match crs {
        None => (None, (lon, lat)),
        Some(c) => match crate::crs::point_to_wgs84(c, lon, lat) {
            Ok((id, p)) => (Some(id), p),
            Err(e) => return fail(e, 2),
        },
    };
    if let Err(e) = crate::locate::check_lon_lat(wlon, wlat) {
        return fail(e, 2);
    }
    let d = match date_arg(date) {
        Ok(d) => d,
        Err(c) => return c,
    };
    let answer = g.profile(atlas, wlon, wlat, d);
    match id {
        Some(id) => print_json(&crate::crs::http::InCrs {
            answer,
            crs: crate::crs::http::echo(id, (lon, lat)),
        }),
        None => print_json(&answer),
    }
}

/// `liuyu places`: the JSON of `GET /v1/places`.
fn places(g: &Governance, atlas: &crate::atlas::Atlas, q: &str, limit: usize) -> ExitCode {
    let (default, max) = super::names::SEARCH_LIMIT;
    let q = q.trim();
    if q.is_empty() || limit == 0 || limit > max {
        return fail(
            format!("give a name to search for and a --limit from 1 to {max} (default {default})"),
            2,
        );
    }
    let q: String = q.chars().take(64).collect();
    print_json(&serde_json::json!({"query": q, "places": g.places(atlas, &q, limit)}))
}

/// `liuyu issue`: the JSON of `POST /v1/issues/analyze`.
fn issue(
    g: &Governance,
    atlas: &crate::atlas::Atlas,
    mut req: AnalyzeRequest,
    crs: Option<&str>,
) -> ExitCode {
    if let Some(c) = crs {
        req = match req.with_query_crs(c) {
            Ok(r) => r,
            Err(e) => return fail(e, 2),
        };
    }
    match g.analyze(atlas, &req) {
        Ok(a) => print_json(&a),
        Err(e @ AnalyzeError::Jurisdiction(super::jurisdiction::JurisdictionError::Overlay)) => {
            fail(e, 1)
        }
        Err(e) => fail(e, 2),
    }
}
