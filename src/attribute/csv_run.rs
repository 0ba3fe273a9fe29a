//! CSV bulk attribution (CSV 批量归属): the reader frames records into chunks
//! of raw bytes, workers parse the coordinates, look them up and format each
//! output line into the chunk's output buffer, the writer copies buffers to
//! the file in input order.
//!
//! Output is byte for byte what the `csv` crate's reader and writer produced
//! before (the earlier implementation): a record without a quote character is
//! copied verbatim (the writer would not quote any of its fields), a record
//! with one is parsed by `csv_core` and its fields re-escaped by the writer's
//! rule; the header goes through the `csv` writer itself.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use super::answer::{push_csv, push_csv_error, push_field, Ids};
use super::frame::{next_record, Framer, Kind, TextChunk};
use super::pipeline;
use super::rows::{find_col, BadRow, Sink, LAT_NAMES, LON_NAMES};
use super::{AttributeError, AttributeOptions, RunStats, ADDED_COLUMNS};
use crate::crs::Crs;
use crate::index::Hit;
use crate::Atlas;

/// The header of a CSV input and where its records begin.
pub(crate) struct Header {
    /// Column names.
    pub names: Vec<String>,
    /// Byte offset of the first record (after the header record).
    offset: u64,
}

/// Reads the header with the `csv` crate (BOM, quotes and all).
pub(crate) fn read_header(path: &Path) -> Result<Header, AttributeError> {
    let file =
        File::open(path).map_err(|e| AttributeError::Io(format!("{}: {e}", path.display())))?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let names = r
        .headers()
        .map_err(|e| AttributeError::Input(format!("{}: header: {e}", path.display())))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok(Header {
        names,
        offset: r.position().byte(),
    })
}

/// What a worker needs: the lookup, the CRS, the columns, reused buffers.
pub(crate) struct Worker {
    atlas: Arc<Atlas>,
    crs: Arc<Crs>,
    ncols: usize,
    ix: usize,
    iy: usize,
    hits: Vec<Hit>,
    buf: Vec<u8>,
    core: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl Worker {
    fn process(&mut self, c: &mut TextChunk) {
        c.out.clear();
        c.sink.clear();
        let atlas = self.atlas.clone();
        let ids = Ids::new(&atlas);
        for i in 0..c.spans.len() {
            let s = c.spans[i];
            let rec = &c.data[s.start as usize..s.end as usize];
            match s.kind {
                Kind::Plain => self.plain(rec, s.line, &ids, &mut c.out, &mut c.sink),
                Kind::Quoted => self.quoted(rec, s.line, &ids, &mut c.out, &mut c.sink),
                Kind::Unterminated(at) => c.sink.bad(
                    BadRow::at(
                        rec,
                        at as usize,
                        s.line,
                        "unterminated quote: the quoted field opened here never closes",
                    ),
                    rec,
                ),
                Kind::TooLong => c.sink.bad(
                    BadRow::at(
                        rec,
                        0,
                        s.line,
                        "record longer than 64 MiB (a runaway quote?)",
                    ),
                    rec,
                ),
            }
        }
    }

    /// A record without quotes: fields are the bytes between commas.
    fn plain(&mut self, rec: &[u8], line: u64, ids: &Ids, out: &mut Vec<u8>, sink: &mut Sink) {
        if let Err(e) = std::str::from_utf8(rec) {
            return sink.bad(BadRow::at(rec, e.valid_up_to(), line, "invalid UTF-8"), rec);
        }
        let (mut n, mut from) = (0usize, 0usize);
        let (mut fx, mut fy) = (&rec[..0], &rec[..0]);
        for end in memchr::memchr_iter(b',', rec).chain(std::iter::once(rec.len())) {
            if n == self.ix {
                fx = &rec[from..end];
            }
            if n == self.iy {
                fy = &rec[from..end];
            }
            n += 1;
            if n > self.ncols {
                return sink.bad(
                    BadRow::field_count(
                        rec,
                        from,
                        line,
                        self.ncols,
                        memchr::memchr_iter(b',', rec).count() + 1,
                    ),
                    rec,
                );
            }
            from = end + 1;
        }
        if n != self.ncols {
            return sink.bad(
                BadRow::field_count(rec, rec.len(), line, self.ncols, n),
                rec,
            );
        }
        out.extend_from_slice(rec);
        self.finish(fx, fy, ids, out, sink);
    }

    /// A record with quotes: parsed by `csv_core`, fields re-escaped.
    fn quoted(&mut self, rec: &[u8], line: u64, ids: &Ids, out: &mut Vec<u8>, sink: &mut Sink) {
        if let Err(e) = std::str::from_utf8(rec) {
            return sink.bad(BadRow::at(rec, e.valid_up_to(), line, "invalid UTF-8"), rec);
        }
        let Some(n) = self.parse_quoted(rec) else {
            return sink.bad(
                BadRow::at(rec, 0, line, "cannot split this record into fields"),
                rec,
            );
        };
        if n != self.ncols {
            return sink.bad(
                BadRow::field_count(rec, rec.len(), line, self.ncols, n),
                rec,
            );
        }
        let (fields, ends) = (
            std::mem::take(&mut self.fields),
            std::mem::take(&mut self.ends),
        );
        let field = |k: usize| &fields[if k == 0 { 0 } else { ends[k - 1] }..ends[k]];
        for k in 0..n {
            if k > 0 {
                out.push(b',');
            }
            push_field(out, field(k));
        }
        self.finish(field(self.ix), field(self.iy), ids, out, sink);
        self.fields = fields;
        self.ends = ends;
    }

    /// Splits one framed record into `fields`/`ends` with `csv_core` (the
    /// record, then a `\n` to end it); returns the field count.
    fn parse_quoted(&mut self, rec: &[u8]) -> Option<usize> {
        // Unescaped fields are never longer than the record, and there is at
        // most one field more than there are bytes.
        self.fields.resize(rec.len() + 1, 0);
        self.ends.resize(rec.len() + 2, 0);
        let (mut nout, mut nend) = (0, 0);
        for (k, input) in [rec, b"\n".as_slice()].into_iter().enumerate() {
            let (res, nin, o, e) =
                self.core
                    .read_record(input, &mut self.fields[nout..], &mut self.ends[nend..]);
            nout += o;
            nend += e;
            let ended = res == csv_core::ReadRecordResult::Record;
            if nin != input.len() || ended != (k == 1) {
                // The framing and csv_core disagree (never expected): start afresh.
                self.core = primed_reader();
                return None;
            }
        }
        Some(nend)
    }

    /// Parses the coordinates, locates and appends the added columns and `\n`.
    fn finish(&mut self, fx: &[u8], fy: &[u8], ids: &Ids, out: &mut Vec<u8>, sink: &mut Sink) {
        sink.rows += 1;
        match parse_xy(fx, fy).and_then(|(x, y)| self.crs.to_wgs84(x, y).map_err(|e| e.to_string()))
        {
            Ok((lon, lat)) => {
                self.hits.clear();
                self.atlas.locator().locate_into(lon, lat, &mut self.hits);
                if self
                    .hits
                    .iter()
                    .any(|h| h.layer == crate::LayerKind::County)
                {
                    sink.inside += 1;
                }
                push_csv(out, ids, &self.hits, &mut self.buf);
            }
            Err(e) => {
                sink.errors += 1;
                push_csv_error(out, &e);
            }
        }
        out.push(b'\n');
    }
}

/// A `csv_core` reader past the start of input (so it strips no byte-order
/// mark from a record: the `csv` reader strips one only at the file's start).
fn primed_reader() -> csv_core::Reader {
    let mut r = csv_core::Reader::new();
    // An empty line: skipped, and the reader is then past its first read.
    let _ = r.read_record(b"\n", &mut [0u8; 1], &mut [0usize; 1]);
    r
}

/// Parses a coordinate field as the earlier reader did (`str::trim`, then `f64`).
fn parse_num(f: &[u8]) -> Result<f64, String> {
    let s = std::str::from_utf8(f).map_err(|_| "invalid UTF-8".to_string())?;
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("not a number: {s:?}"))
}

fn parse_xy(fx: &[u8], fy: &[u8]) -> Result<(f64, f64), String> {
    Ok((parse_num(fx)?, parse_num(fy)?))
}

/// Runs a CSV attribution into `sink_out`; returns the statistics.
pub(crate) fn run(
    atlas: Arc<Atlas>,
    opts: &AttributeOptions,
    crs: Arc<Crs>,
    threads: usize,
    out: &mut super::output::Outputs,
    progress: &dyn Fn(u64),
) -> Result<RunStats, AttributeError> {
    let header = read_header(&opts.input)?;
    let ix = find_col(&header.names, opts.lon_col.as_deref(), &LON_NAMES)?;
    let iy = find_col(&header.names, opts.lat_col.as_deref(), &LAT_NAMES)?;
    let ncols = header.names.len();
    let mut head = csv::Writer::from_writer(Vec::new());
    head.write_record(header.names.iter().map(String::as_str).chain(ADDED_COLUMNS))
        .map_err(|e| AttributeError::Output(e.to_string()))?;
    let mut raw_head = csv::Writer::from_writer(Vec::new());
    raw_head
        .write_record(&header.names)
        .map_err(|e| AttributeError::Output(e.to_string()))?;
    let into = |w: csv::Writer<Vec<u8>>| {
        w.into_inner()
            .map_err(|e| AttributeError::Output(e.to_string()))
    };
    out.begin(&into(head)?, &into(raw_head)?)?;
    let mut framer = Framer::open(
        &opts.input,
        header.offset,
        opts.chunk_rows.max(1),
        next_record,
    )?;
    let pool = (0..2 * threads + 2).map(|_| TextChunk::default()).collect();
    let mut stats = RunStats::new(threads);
    let path = opts.input.display().to_string();
    pipeline::run(
        threads,
        pool,
        move |c: &mut TextChunk| framer.fill(c),
        move || Worker {
            atlas: atlas.clone(),
            crs: crs.clone(),
            ncols,
            ix,
            iy,
            hits: Vec::with_capacity(16),
            buf: Vec::with_capacity(64),
            core: primed_reader(),
            fields: Vec::new(),
            ends: Vec::new(),
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
