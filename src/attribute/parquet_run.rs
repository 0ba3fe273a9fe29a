//! Columnar bulk attribution (列式批量归属): Parquet and Arrow IPC files are
//! read as Arrow record batches, the workers add the nine columns to each
//! batch (every input column is passed through untouched, whatever its type:
//! dates, timestamps, decimals, nested), and the writer appends batches to a
//! Parquet (Snappy, row groups of 65,536 rows) or Arrow IPC file. The input's
//! schema metadata (e.g. GeoParquet's `geo` key) is kept.
//!
//! Coordinate columns may be any integer or floating type, or text (parsed as
//! the CSV reader does); a null or unparsable value gives an `attr_error`.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::answer::{Ids, ID_LAYERS};
use super::parquet_source::ParquetSource;
use super::pipeline::{self, Chunk};
use super::rows::{find_col, Sink, LAT_NAMES, LON_NAMES};
use super::{AttributeError, AttributeOptions, Family, RunStats, ADDED_COLUMNS};
use crate::crs::Crs;
use crate::index::Hit;
use crate::Atlas;

/// Rows per Parquet row group in the output.
const ROW_GROUP: usize = 65_536;

fn input_err(path: &Path, e: impl std::fmt::Display) -> AttributeError {
    AttributeError::Input(format!("{}: {e}", path.display()))
}

fn out_err(e: impl std::fmt::Display) -> AttributeError {
    AttributeError::Output(e.to_string())
}

/// Rows in a Parquet file, from its footer (for the progress bar).
pub(crate) fn row_count(path: &Path) -> Option<u64> {
    let source = ParquetSource::open(File::open(path).ok()?).ok()?;
    let b = ParquetRecordBatchReaderBuilder::try_new(source).ok()?;
    u64::try_from(b.metadata().file_metadata().num_rows()).ok()
}

/// Batches of the input, with its schema.
type Batches = Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>;

fn open_input(
    path: &Path,
    family: Family,
    rows: usize,
) -> Result<(SchemaRef, Batches), AttributeError> {
    let mut file =
        File::open(path).map_err(|e| AttributeError::Io(format!("{}: {e}", path.display())))?;
    if family == Family::Arrow {
        super::ipc_check::check_blocks(path, &mut file)?;
        let r =
            arrow_ipc::reader::FileReader::try_new(file, None).map_err(|e| input_err(path, e))?;
        let schema = r.schema();
        return Ok((schema, Box::new(r.map(|b| b.map_err(|e| e.to_string())))));
    }
    let source = ParquetSource::open(file).map_err(|e| input_err(path, e))?;
    let checker = source.try_clone().map_err(|e| input_err(path, e))?;
    let b = ParquetRecordBatchReaderBuilder::try_new(source).map_err(|e| input_err(path, e))?;
    checker
        .check_pages(b.metadata())
        .map_err(|e| input_err(path, e))?;
    // The builder's schema carries the file's key-value metadata.
    let schema = b.schema().clone();
    let r = b
        .with_batch_size(rows)
        .build()
        .map_err(|e| input_err(path, e))?;
    Ok((schema, Box::new(r.map(|b| b.map_err(|e| e.to_string())))))
}

/// The output schema: the input's fields and metadata plus the added columns.
fn output_schema(input: &Schema) -> SchemaRef {
    let mut fields: Vec<Field> = input.fields().iter().map(|f| f.as_ref().clone()).collect();
    for c in ADDED_COLUMNS {
        let ty = if c == "on_boundary" {
            DataType::Boolean
        } else {
            DataType::Utf8
        };
        fields.push(Field::new(c, ty, true));
    }
    Arc::new(Schema::new_with_metadata(fields, input.metadata().clone()))
}

/// The writing side: Parquet or Arrow IPC.
enum Sinker {
    Parquet(ArrowWriter<File>),
    Arrow(arrow_ipc::writer::FileWriter<File>),
}

impl Sinker {
    fn new(file: File, family: Family, schema: &SchemaRef) -> Result<Self, AttributeError> {
        Ok(if family == Family::Arrow {
            Sinker::Arrow(arrow_ipc::writer::FileWriter::try_new(file, schema).map_err(out_err)?)
        } else {
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(ROW_GROUP))
                .build();
            Sinker::Parquet(
                ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(out_err)?,
            )
        })
    }

    fn write(&mut self, b: &RecordBatch) -> Result<(), AttributeError> {
        match self {
            Sinker::Parquet(w) => w.write(b).map_err(out_err),
            Sinker::Arrow(w) => w.write(b).map_err(out_err),
        }
    }

    fn finish(self) -> Result<(), AttributeError> {
        match self {
            Sinker::Parquet(w) => w.close().map(|_| ()).map_err(out_err),
            Sinker::Arrow(mut w) => w.finish().map_err(out_err),
        }
    }
}

#[derive(Default)]
struct BatchChunk {
    seq: u64,
    input: Option<RecordBatch>,
    output: Option<Result<RecordBatch, String>>,
    sink: Sink,
}

impl Chunk for BatchChunk {
    fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// One coordinate value as the earlier reader saw it.
fn coordinate(col: &dyn Array, i: usize) -> Result<f64, String> {
    if col.is_null(i) {
        return Err("not a number: null".into());
    }
    let text = |s: &str| {
        s.trim()
            .parse::<f64>()
            .map_err(|_| format!("not a number: {s:?}"))
    };
    match col.data_type() {
        DataType::Float64 => Ok(col
            .as_primitive::<arrow_array::types::Float64Type>()
            .value(i)),
        DataType::Utf8 => text(col.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => text(col.as_string::<i64>().value(i)),
        DataType::Utf8View => text(col.as_string_view().value(i)),
        _ => Err("not a number".into()),
    }
}

/// Numeric coordinate columns as Float64 (text and others stay as they are).
fn as_f64(col: &ArrayRef) -> ArrayRef {
    if col.data_type().is_numeric() && col.data_type() != &DataType::Float64 {
        if let Ok(c) = arrow_cast::cast(col, &DataType::Float64) {
            return c;
        }
    }
    col.clone()
}

struct Worker {
    atlas: Arc<Atlas>,
    /// Unit ids, copied once per run and shared by the workers.
    ids: Arc<Ids>,
    crs: Arc<Crs>,
    ix: usize,
    iy: usize,
    schema: SchemaRef,
    hits: Vec<Hit>,
    buf: Vec<u8>,
}

impl Worker {
    fn process(&mut self, c: &mut BatchChunk) {
        c.sink.clear();
        let Some(batch) = c.input.take() else { return };
        c.output = Some(self.attribute(&batch, &mut c.sink));
    }

    fn attribute(&mut self, batch: &RecordBatch, sink: &mut Sink) -> Result<RecordBatch, String> {
        let (xs, ys) = (as_f64(batch.column(self.ix)), as_f64(batch.column(self.iy)));
        let n = batch.num_rows();
        let mut ids_out: Vec<StringBuilder> = (0..7)
            .map(|_| StringBuilder::with_capacity(n, 8 * n))
            .collect();
        let mut boundary = BooleanBuilder::with_capacity(n);
        let mut error = StringBuilder::with_capacity(n, n);
        let ids = self.ids.clone();
        for i in 0..n {
            sink.rows += 1;
            let xy =
                coordinate(xs.as_ref(), i).and_then(|x| coordinate(ys.as_ref(), i).map(|y| (x, y)));
            match xy.and_then(|(x, y)| self.crs.to_wgs84(x, y).map_err(|e| e.to_string())) {
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
                    for ((layer, multi), b) in ID_LAYERS.iter().zip(&mut ids_out) {
                        ids.column(&self.hits, *layer, *multi, &mut self.buf);
                        b.append_value(String::from_utf8_lossy(&self.buf));
                    }
                    boundary.append_value(self.hits.iter().any(|h| h.on_boundary));
                    error.append_value("");
                }
                Err(e) => {
                    sink.errors += 1;
                    ids_out.iter_mut().for_each(|b| b.append_value(""));
                    boundary.append_value(false);
                    error.append_value(e);
                }
            }
        }
        let mut cols: Vec<ArrayRef> = batch.columns().to_vec();
        cols.extend(ids_out.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        cols.push(Arc::new(boundary.finish()));
        cols.push(Arc::new(error.finish()));
        RecordBatch::try_new(self.schema.clone(), cols).map_err(|e| e.to_string())
    }
}

/// At most `rows` rows of `b` from row `at` (zero-copy); what is left of `b`
/// goes back to `pending`. An Arrow IPC record batch may hold any number of
/// rows (a column of nulls takes no bytes, so a file of a few hundred bytes
/// can declare hundreds of millions), and the nine added columns are built per
/// chunk: slicing keeps memory bounded by `--chunk-rows` whatever the file's
/// batches (Parquet batches are already cut to that size by the reader).
fn slice_chunk(
    b: RecordBatch,
    at: usize,
    rows: usize,
    pending: &mut Option<(RecordBatch, usize)>,
) -> RecordBatch {
    let n = (b.num_rows() - at).min(rows);
    let chunk = b.slice(at, n);
    if at + n < b.num_rows() {
        *pending = Some((b, at + n));
    }
    chunk
}

/// Runs one step of the Parquet or Arrow IPC decoders, a panic inside them
/// turned into an input error naming the file. The `arrow-ipc` reader slices
/// buffers at the offsets a file declares before validating them, so a
/// malformed file panics inside the crate (found by the `attribute` fuzz
/// target: a buffer offset past the message body); the same guard covers the
/// Parquet decoder. After such an error the reader is not used again.
///
/// The panic is expected here, so the process's panic hook stays quiet for it
/// (see [`quiet_panics`]): the user reads one input error on stderr, not a
/// "thread panicked" report followed by it.
fn guarded<T>(
    path: &std::path::Path,
    step: impl FnOnce() -> Result<T, AttributeError>,
) -> Result<T, AttributeError> {
    quiet_panics(step).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        Err(AttributeError::Input(format!(
            "{}: malformed file: the decoder failed ({why})",
            path.display()
        )))
    })
}

thread_local! {
    /// Whether this thread is inside [`quiet_panics`].
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `step`, catching a panic, with the panic hook silenced for this
/// thread meanwhile. The hook is wrapped once per process: outside a quiet
/// step (any other thread, or this one afterwards) the hook that was
/// installed before reports panics exactly as it did.
fn quiet_panics<T>(step: impl FnOnce() -> T) -> std::thread::Result<T> {
    static WRAP: std::sync::Once = std::sync::Once::new();
    WRAP.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(step));
    QUIET.with(|q| q.set(was));
    out
}

/// Runs a Parquet or Arrow IPC attribution.
pub(crate) fn run(
    atlas: Arc<Atlas>,
    opts: &AttributeOptions,
    crs: Arc<Crs>,
    threads: usize,
    out: &mut super::output::Outputs,
    progress: &dyn Fn(u64),
) -> Result<RunStats, AttributeError> {
    let family = Family::of(&opts.input)?;
    let (schema, mut batches) = guarded(&opts.input, || {
        open_input(&opts.input, family, opts.chunk_rows.max(1))
    })?;
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let ix = find_col(&names, opts.lon_col.as_deref(), &LON_NAMES)?;
    let iy = find_col(&names, opts.lat_col.as_deref(), &LAT_NAMES)?;
    let out_schema = output_schema(&schema);
    let file = out.main_file().try_clone().map_err(out_err)?;
    let mut sinker = Sinker::new(file, family, &out_schema)?;
    let pool = (0..2 * threads + 2)
        .map(|_| BatchChunk::default())
        .collect();
    let mut stats = RunStats::new(threads);
    let path = opts.input.display().to_string();
    let in_path = opts.input.clone();
    let rows = opts.chunk_rows.max(1);
    // The batch being handed out in slices, and the next row to hand out.
    let mut pending: Option<(RecordBatch, usize)> = None;
    let ids = Arc::new(Ids::new(&atlas));
    pipeline::run(
        threads,
        pool,
        move |c: &mut BatchChunk| {
            if pending.is_none() {
                match guarded(&in_path, || Ok(batches.next()))? {
                    None => return Ok(false),
                    Some(Ok(b)) => pending = Some((b, 0)),
                    Some(Err(e)) => return Err(input_err(&in_path, e)),
                }
            }
            c.input = pending
                .take()
                .map(|(b, at)| slice_chunk(b, at, rows, &mut pending));
            Ok(true)
        },
        move || Worker {
            ids: ids.clone(),
            atlas: atlas.clone(),
            crs: crs.clone(),
            ix,
            iy,
            schema: out_schema.clone(),
            hits: Vec::with_capacity(16),
            buf: Vec::with_capacity(64),
        },
        |w: &mut Worker, c: &mut BatchChunk| w.process(c),
        |c: &mut BatchChunk| {
            out.account(&path, &c.sink, &mut stats)?;
            if let Some(b) = c.output.take() {
                sinker.write(&b.map_err(AttributeError::Output)?)?;
            }
            progress(stats.rows);
            Ok(true)
        },
    )?;
    sinker.finish()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::{quiet_panics, QUIET};

    /// A panic inside is caught with its message, the quiet flag is set only
    /// meanwhile (nested steps restore the outer one's), and a step that
    /// returns gives its value.
    #[test]
    fn quiet_panics_catches_and_restores() {
        let caught = quiet_panics(|| -> u8 { panic!("decoder bug") }).expect_err("caught");
        assert_eq!(caught.downcast_ref::<&str>(), Some(&"decoder bug"));
        assert!(!QUIET.with(std::cell::Cell::get));
        let nested = quiet_panics(|| {
            let inner = quiet_panics(|| QUIET.with(std::cell::Cell::get));
            (inner.ok(), QUIET.with(std::cell::Cell::get))
        });
        assert_eq!(nested.ok(), Some((Some(true), true)));
        assert!(!QUIET.with(std::cell::Cell::get));
        assert_eq!(quiet_panics(|| 7).ok(), Some(7));
    }
}
