//! NDJSON bulk attribution (NDJSON 批量归属): lines framed by the reader,
//! parsed, located and re-serialised by the workers, written in order.
//!
//! Output is what the earlier implementation wrote: each object re-serialised
//! by `serde_json` (keys in sorted order, numbers in shortest form) with the
//! added keys; blank lines are skipped. Parsing a JSON object allocates, so
//! unlike CSV this path allocates per row; it still runs on every worker.

use std::io::{BufRead, BufReader};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::answer::{Ids, ID_LAYERS};
use super::frame::{next_line, Framer, TextChunk};
use super::pipeline;
use super::rows::{find_col, BadRow, Sink, LAT_NAMES, LON_NAMES};
use super::{AttributeError, AttributeOptions, RunStats, ADDED_COLUMNS};
use crate::crs::Crs;
use crate::index::Hit;
use crate::Atlas;

fn num(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".into()),
        Value::String(s) => s.trim().parse().map_err(|_| format!("not a number: {s:?}")),
        other => Err(format!("not a number: {other}")),
    }
}

/// The JSON error's message without serde_json's " at line L column C".
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

struct Worker {
    atlas: Arc<Atlas>,
    /// Unit ids, copied once per run and shared by the workers.
    ids: Arc<Ids>,
    crs: Arc<Crs>,
    kx: String,
    ky: String,
    hits: Vec<Hit>,
    buf: Vec<u8>,
}

impl Worker {
    fn process(&mut self, c: &mut TextChunk) {
        c.out.clear();
        c.sink.clear();
        let ids = self.ids.clone();
        for i in 0..c.spans.len() {
            let s = c.spans[i];
            let raw = &c.data[s.start as usize..s.end as usize];
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            self.row(line, s.line, &ids, &mut c.out, &mut c.sink);
        }
    }

    fn row(&mut self, line: &[u8], n: u64, ids: &Ids, out: &mut Vec<u8>, sink: &mut Sink) {
        let text = match std::str::from_utf8(line) {
            Ok(t) => t,
            Err(e) => return sink.bad(BadRow::at(line, e.valid_up_to(), n, "invalid UTF-8"), line),
        };
        if text.trim().is_empty() {
            return;
        }
        let mut obj: Map<String, Value> = match serde_json::from_str(text) {
            Ok(o) => o,
            Err(e) => {
                let col = text
                    .char_indices()
                    .nth(e.column().saturating_sub(1))
                    .map_or(line.len(), |c| c.0);
                return sink.bad(BadRow::at(line, col, n, &json_message(&e)), line);
            }
        };
        let xy = match (obj.get(self.kx.as_str()), obj.get(self.ky.as_str())) {
            (Some(x), Some(y)) => num(x).and_then(|x| num(y).map(|y| (x, y))),
            _ => Err("missing coordinate".into()),
        };
        sink.rows += 1;
        let added = match xy.and_then(|(x, y)| self.crs.to_wgs84(x, y).map_err(|e| e.to_string())) {
            Ok((lon, lat)) => self.located(lon, lat, ids, sink),
            Err(e) => {
                sink.errors += 1;
                let mut v: Vec<Value> = (0..7).map(|_| Value::String(String::new())).collect();
                v.extend([Value::Bool(false), Value::String(e)]);
                v
            }
        };
        for (k, v) in ADDED_COLUMNS.iter().zip(added) {
            obj.insert((*k).to_string(), v);
        }
        // Serialising a map of JSON values into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &obj);
        out.push(b'\n');
    }

    /// The nine added values of a located point.
    fn located(&mut self, lon: f64, lat: f64, ids: &Ids, sink: &mut Sink) -> Vec<Value> {
        self.hits.clear();
        self.atlas.locator().locate_into(lon, lat, &mut self.hits);
        if self
            .hits
            .iter()
            .any(|h| h.layer == crate::LayerKind::County)
        {
            sink.inside += 1;
        }
        let mut v = Vec::with_capacity(9);
        for (layer, multi) in ID_LAYERS {
            ids.column(&self.hits, layer, multi, &mut self.buf);
            v.push(Value::String(
                String::from_utf8_lossy(&self.buf).into_owned(),
            ));
        }
        v.push(Value::Bool(self.hits.iter().any(|h| h.on_boundary)));
        v.push(Value::String(String::new()));
        v
    }
}

/// The keys of the first line's object (the earlier reader's "header").
fn first_keys(path: &std::path::Path) -> Result<Vec<String>, AttributeError> {
    let io = |e: std::io::Error| AttributeError::Io(format!("{}: {e}", path.display()));
    let mut first = String::new();
    BufReader::new(std::fs::File::open(path).map_err(io)?)
        .read_line(&mut first)
        .map_err(io)?;
    let obj: Map<String, Value> = serde_json::from_str(first.trim())
        .map_err(|e| AttributeError::Input(format!("{}: line 1: {e}", path.display())))?;
    Ok(obj.keys().cloned().collect())
}

/// Runs an NDJSON attribution.
pub(crate) fn run(
    atlas: Arc<Atlas>,
    opts: &AttributeOptions,
    crs: Arc<Crs>,
    threads: usize,
    out: &mut super::output::Outputs,
    progress: &dyn Fn(u64),
) -> Result<RunStats, AttributeError> {
    let header = first_keys(&opts.input)?;
    let kx = header[find_col(&header, opts.lon_col.as_deref(), &LON_NAMES)?].clone();
    let ky = header[find_col(&header, opts.lat_col.as_deref(), &LAT_NAMES)?].clone();
    out.begin(b"", b"")?;
    let mut framer = Framer::open(&opts.input, 0, opts.chunk_rows.max(1), next_line)?;
    let pool = (0..2 * threads + 2).map(|_| TextChunk::default()).collect();
    let mut stats = RunStats::new(threads);
    let path = opts.input.display().to_string();
    let ids = Arc::new(Ids::new(&atlas));
    pipeline::run(
        threads,
        pool,
        move |c: &mut TextChunk| framer.fill(c),
        move || Worker {
            ids: ids.clone(),
            atlas: atlas.clone(),
            crs: crs.clone(),
            kx: kx.clone(),
            ky: ky.clone(),
            hits: Vec::with_capacity(16),
            buf: Vec::with_capacity(64),
        },
        |w: &mut Worker, c: &mut TextChunk| w.process(c),
        |c: &mut TextChunk| {
            let go = out.chunk(&path, &c.out, &c.sink, &mut stats)?;
            progress(c.end_offset);
            Ok(go)
        },
    )?;
    Ok(stats)
}
