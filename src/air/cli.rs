//! `liuyu downwind LON LAT --wind-from DEG --speed MS --hours H [--spread DEG]
//! [--crs CRS]` (下风向): prints the same JSON as `GET /v1/air/downwind`.
//! `--series FILE` (a JSON array of `{hour, wind_from, speed}`, `-` for stdin)
//! replaces `--wind-from`/`--speed`; `--hours` is then the series' end.
//! Exit codes: 0 ok, 2 bad input, 1 runtime error.

use crate::cli::fail;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::atlas::Atlas;
use crate::budget::Budget;
use crate::governance::Rules;
use crate::server::DataSource;

use super::{SeriesEntry, Source, Wind};

/// Arguments of `liuyu downwind`.
#[derive(Debug, Clone, clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct DownwindArgs {
    /// Longitude of the source (WGS 84 degrees), or x in `--crs`.
    pub lon: f64,
    /// Latitude of the source, or y in `--crs`.
    pub lat: f64,
    /// Direction the wind blows from, degrees clockwise from north (0 = north wind).
    #[arg(long = "wind-from", value_name = "DEG")]
    pub wind_from: Option<f64>,
    /// Wind speed, m/s.
    #[arg(long, value_name = "MS")]
    pub speed: Option<f64>,
    /// Hours to estimate (at most 72); with `--series`, the end of the series.
    #[arg(long, value_name = "H")]
    pub hours: Option<f64>,
    /// Half-angle of the plume sector, degrees (default 20).
    #[arg(long, value_name = "DEG")]
    pub spread: Option<f64>,
    /// An hourly series: JSON array of {hour, wind_from, speed}; `-` reads stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["wind_from", "speed"])]
    pub series: Option<PathBuf>,
    /// CRS of the coordinates (CRS84, EPSG:4547, gcj02, ...): the plume is
    /// returned in it and the answer echoes it.
    #[arg(long)]
    pub crs: Option<String>,
}

/// Largest series file read (bytes).
const MAX_FILE: u64 = 1 << 20;

fn read_series(path: &PathBuf) -> Result<Vec<SeriesEntry>, String> {
    let mut text = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().take(MAX_FILE).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE).read_to_string(&mut text))
    };
    read.map_err(|e| format!("--series {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "--series {}: not a JSON array of {{hour, wind_from, speed}}: {e}",
            path.display()
        )
    })
}

fn wind(a: &DownwindArgs) -> Result<Wind, String> {
    let flag = |p: &str| p.replace('_', "-");
    let name = |e: super::WindError| match e {
        super::WindError::Invalid { path, reason } => format!("--{}: {reason}", flag(&path)),
        other => other.to_string(),
    };
    match (&a.series, a.wind_from, a.speed, a.hours) {
        (Some(p), _, _, end) => Wind::series(&read_series(p)?, end, a.spread).map_err(name),
        (None, Some(f), Some(s), Some(h)) => Wind::steady(f, s, h, a.spread).map_err(name),
        _ => Err("give --wind-from, --speed and --hours (or --series FILE)".into()),
    }
}

/// Runs `liuyu downwind`.
pub fn run(a: &DownwindArgs, data: &Option<PathBuf>) -> ExitCode {
    let input = (a.lon, a.lat);
    let (crs, (lon, lat)) = match a.crs.as_deref() {
        None => (None, input),
        Some(c) => match crate::crs::point_to_wgs84(c, a.lon, a.lat)
            .and_then(|(id, p)| Ok((crate::crs::Crs::new(id)?, p)))
        {
            Ok((c, p)) => (Some(c), p),
            Err(e) => return fail(e, 2),
        },
    };
    if let Err(e) = crate::locate::check_lon_lat(lon, lat) {
        return fail(e, 2);
    }
    let wind = match wind(a) {
        Ok(w) => w,
        Err(e) => return fail(e, 2),
    };
    let source = match data {
        Some(d) => DataSource::Dir(d.clone()),
        None => DataSource::Embedded,
    };
    let (atlas, rules) = match load(&source) {
        Ok(x) => x,
        Err(e) => return fail(e, 1),
    };
    let answer = match super::downwind(
        &rules,
        &atlas,
        &Source::Point { lon, lat },
        &wind,
        &Budget::unlimited(),
    ) {
        Ok(x) => x,
        Err(e) => return fail(e, 1),
    };
    let out = match crs {
        None => Ok(answer),
        Some(c) => {
            let echo = crate::crs::http::echo(c.id(), input);
            super::in_crs(answer, &c, echo)
                .map_err(|e| format!("the answer cannot be given in {}: {e}", c.id()))
        }
    };
    match out.and_then(|v| serde_json::to_string_pretty(&v).map_err(|e| e.to_string())) {
        Ok(s) => crate::cli::print_text(&s),
        Err(e) => fail(e, 2),
    }
}

fn load(source: &DataSource) -> Result<(Atlas, Rules), String> {
    let atlas = source.load().map_err(|e| e.to_string())?;
    let rules = match source {
        DataSource::Embedded => Rules::embedded(),
        DataSource::Dir(d) => Rules::load_dir(d),
    }
    .map_err(|e| e.to_string())?;
    Ok((atlas, rules))
}
