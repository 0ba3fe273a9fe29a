//! Shared row bookkeeping of bulk attribution: coordinate columns, bad rows
//! (坏行) with their line and column, and per-chunk counters.

use super::AttributeError;

/// Default longitude/easting column names (case-insensitive).
pub(crate) const LON_NAMES: [&str; 5] = ["lon", "lng", "longitude", "long", "x"];
/// Default latitude/northing column names (case-insensitive).
pub(crate) const LAT_NAMES: [&str; 3] = ["lat", "latitude", "y"];

/// Index of the wanted column, or the first default present.
pub(crate) fn find_col(
    header: &[String],
    wanted: Option<&str>,
    defaults: &[&str],
) -> Result<usize, AttributeError> {
    let pos = |n: &str| header.iter().position(|h| h.eq_ignore_ascii_case(n));
    match wanted {
        Some(w) => pos(w)
            .ok_or_else(|| AttributeError::Usage(format!("column {w:?} not found in {header:?}"))),
        None => defaults.iter().find_map(|d| pos(d)).ok_or_else(|| {
            AttributeError::Usage(format!(
                "no coordinate column among {defaults:?} in {header:?}; use --lon-col/--lat-col"
            ))
        }),
    }
}

/// A row that cannot be read: where (1-based line and character column in
/// the input file) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Line of the problem.
    pub line: u64,
    /// Column (characters from the start of that line, 1-based).
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

impl BadRow {
    /// A problem at byte `at` of a record that starts line `line`.
    pub(crate) fn at(rec: &[u8], at: usize, line: u64, message: &str) -> Self {
        let at = at.min(rec.len());
        let before = &rec[..at];
        let breaks = super::frame::line_starts(before);
        let line_start = breaks.last().copied().unwrap_or(0);
        BadRow {
            line: line + breaks.len() as u64,
            column: String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count() as u64
                + 1,
            message: message.to_string(),
        }
    }

    /// A record with `found` fields where the header has `expected`; `at` is
    /// the first extra field, or the record's end.
    pub(crate) fn field_count(
        rec: &[u8],
        at: usize,
        line: u64,
        expected: usize,
        found: usize,
    ) -> Self {
        Self::at(
            rec,
            at,
            line,
            &format!("expected {expected} fields (as in the header), found {found}"),
        )
    }
}

/// What one chunk produced besides its output: counters and bad rows.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    /// Rows written.
    pub rows: u64,
    /// Rows inside Hubei.
    pub inside: u64,
    /// Rows written with an `attr_error`.
    pub errors: u64,
    /// Bad rows, in input order.
    pub bad: Vec<BadRow>,
    /// The bad rows' raw bytes, each followed by `\n`.
    pub rejected: Vec<u8>,
}

impl Sink {
    /// Empties it for reuse (keeps the buffers).
    pub(crate) fn clear(&mut self) {
        self.rows = 0;
        self.inside = 0;
        self.errors = 0;
        self.bad.clear();
        self.rejected.clear();
    }

    /// Records a bad row and its raw bytes.
    pub(crate) fn bad(&mut self, row: BadRow, raw: &[u8]) {
        self.bad.push(row);
        self.rejected.extend_from_slice(raw);
        self.rejected.push(b'\n');
    }
}
