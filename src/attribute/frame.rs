//! CSV record framing for bulk attribution (记录切分): find where each record
//! begins and ends, and its line number, without parsing fields.
//!
//! The rules are those of the `csv` crate's reader with its defaults (RFC 4180
//! plus: `\r`, `\n` and `\r\n` all end a record; empty lines are skipped; a
//! quote opens a quoted field only at the start of a field; inside one, `""`
//! is a literal quote). Records without a quote character are found with one
//! `memchr` each; a record with a quote runs the small quote-state machine
//! below. A quote still open at the end of the input is reported (the record
//! is cut at the end of the line where the quote opened) instead of
//! swallowing the rest of the file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use memchr::memchr3;

use super::pipeline::Chunk;
use super::rows::Sink;
use super::AttributeError;

/// How a framed record must be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// No quote character: fields are the bytes between commas.
    Plain,
    /// Contains a quote: parse with `csv_core`.
    Quoted,
    /// A quote opened at this byte of the record never closes.
    Unterminated(u32),
    /// Longer than the record size limit (probably a runaway quote).
    TooLong,
}

/// One record: its bytes `[start, end)` in the chunk, first line, kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte (the terminator excluded).
    pub end: u32,
    /// 1-based line number of the first byte in the input file.
    pub line: u64,
    /// How to parse it.
    pub kind: Kind,
}

/// The outcome of framing at one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// A record `[start, end)`; the next record search starts at `end`.
    Record {
        /// First byte.
        start: usize,
        /// One past the last byte.
        end: usize,
        /// Its kind.
        kind: Kind,
    },
    /// Only terminators up to here (consumed); the input is exhausted.
    Exhausted(usize),
    /// The record may continue beyond the buffer: read more first.
    NeedMore,
}

/// Counts lines the way editors do: `\n`, `\r\n` and a lone `\r` each end one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lines {
    /// Current 1-based line.
    pub line: u64,
    prev_cr: bool,
}

impl Lines {
    /// Starts at line 1.
    pub(crate) fn new() -> Self {
        Lines {
            line: 1,
            prev_cr: false,
        }
    }

    /// Advances over `bytes`.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'\n' if self.prev_cr => self.prev_cr = false,
                b'\n' => self.line += 1,
                b'\r' => {
                    self.line += 1;
                    self.prev_cr = true;
                }
                _ => self.prev_cr = false,
            }
        }
    }
}

/// Byte offsets at which a new line starts within `bytes` (after `\n`,
/// `\r\n` or a lone `\r`), as [`Lines`] counts them.
pub(crate) fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if b == b'\n' || lone_cr {
            out.push(i + 1);
        }
    }
    out
}

/// Finds the next record in `buf[pos..]`; `eof` says no more bytes will come.
/// `max_len` bounds a record (a longer one is cut at its first line end, kind
/// [`Kind::TooLong`]).
pub(crate) fn next_record(buf: &[u8], pos: usize, eof: bool, max_len: usize) -> Found {
    let start = pos
        + buf[pos..]
            .iter()
            .position(|&b| b != b'\n' && b != b'\r')
            .unwrap_or(buf.len() - pos);
    if start == buf.len() {
        return if eof {
            Found::Exhausted(start)
        } else {
            Found::NeedMore
        };
    }
    match memchr3(b'\n', b'\r', b'"', &buf[start..]) {
        Some(j) if buf[start + j] != b'"' => Found::Record {
            start,
            end: start + j,
            kind: Kind::Plain,
        },
        Some(_) => quoted(buf, start, eof, max_len),
        None if eof => Found::Record {
            start,
            end: buf.len(),
            kind: Kind::Plain,
        },
        None => Found::NeedMore,
    }
}

/// Frames a record that contains a quote, with the reader's quote rules.
fn quoted(buf: &[u8], start: usize, eof: bool, max_len: usize) -> Found {
    let (mut field_start, mut in_quotes, mut opened) = (true, false, start);
    let mut i = start;
    while i < buf.len() {
        let b = buf[i];
        if in_quotes {
            if b == b'"' {
                if i + 1 == buf.len() && !eof {
                    return Found::NeedMore;
                }
                if buf.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if b == b'\n' || b == b'\r' {
            return Found::Record {
                start,
                end: i,
                kind: Kind::Quoted,
            };
        } else if b == b'"' && field_start {
            in_quotes = true;
            opened = i;
        }
        field_start = !in_quotes && b == b',';
        i += 1;
        if i - start > max_len {
            return cut(buf, start, opened.max(start), Kind::TooLong);
        }
    }
    if !eof {
        return Found::NeedMore;
    }
    if in_quotes {
        let at = (opened - start) as u32;
        return cut(buf, start, opened, Kind::Unterminated(at));
    }
    Found::Record {
        start,
        end: buf.len(),
        kind: Kind::Quoted,
    }
}

/// The record `[start, end of the line holding byte `at`)` with `kind`.
fn cut(buf: &[u8], start: usize, at: usize, kind: Kind) -> Found {
    let end = buf[at..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(buf.len(), |j| at + j);
    Found::Record { start, end, kind }
}

/// A framing function: [`next_record`] (CSV) or [`next_line`] (NDJSON).
pub(crate) type NextRecord = fn(&[u8], usize, bool, usize) -> Found;

/// Finds the next line of an NDJSON file in `buf[pos..]` (the `\n` excluded;
/// empty lines are skipped here, as the earlier reader skipped them).
pub(crate) fn next_line(buf: &[u8], pos: usize, eof: bool, _max_len: usize) -> Found {
    let start = pos
        + buf[pos..]
            .iter()
            .position(|&b| b != b'\n')
            .unwrap_or(buf.len() - pos);
    if start == buf.len() {
        return if eof {
            Found::Exhausted(start)
        } else {
            Found::NeedMore
        };
    }
    match memchr::memchr(b'\n', &buf[start..]) {
        Some(j) => Found::Record {
            start,
            end: start + j,
            kind: Kind::Plain,
        },
        None if eof => Found::Record {
            start,
            end: buf.len(),
            kind: Kind::Plain,
        },
        None => Found::NeedMore,
    }
}

/// A record longer than this is refused (a runaway quote, or not CSV).
pub(crate) const MAX_RECORD: usize = 64 << 20;
/// Bytes read from the file at a time.
const READ_SIZE: usize = 1 << 20;
/// A chunk stops growing past this many bytes of input.
const CHUNK_BYTES: usize = 32 << 20;

/// A chunk of framed records and everything produced from them.
#[derive(Default)]
pub(crate) struct TextChunk {
    seq: u64,
    /// Input bytes of the chunk's records.
    pub data: Vec<u8>,
    /// The records.
    pub spans: Vec<Span>,
    /// File offset after the chunk (for progress).
    pub end_offset: u64,
    /// `data` is valid UTF-8 as a whole, so each record is (records end at
    /// ASCII bytes); checked once by the reader, which spares the workers a
    /// check per record.
    pub utf8: bool,
    /// Output lines.
    pub out: Vec<u8>,
    /// Rows, bad rows and counters.
    pub sink: Sink,
}

impl Chunk for TextChunk {
    fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// The reading side: file, buffer and framing state.
pub(crate) struct Framer {
    file: File,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    lines: Lines,
    /// File offset of `buf[0]`.
    base: u64,
    max_rows: usize,
    next: NextRecord,
    path: String,
}

impl Framer {
    /// Opens `path` after its first `offset` bytes (a header), framing
    /// records with `next` and at most `max_rows` per chunk.
    pub(crate) fn open(
        path: &Path,
        offset: u64,
        max_rows: usize,
        next: NextRecord,
    ) -> Result<Self, AttributeError> {
        let io = |e: std::io::Error| AttributeError::Io(format!("{}: {e}", path.display()));
        let mut file = File::open(path).map_err(io)?;
        let mut head = vec![0u8; offset as usize];
        file.read_exact(&mut head).map_err(io)?;
        let mut lines = Lines::new();
        lines.feed(&head);
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        Ok(Framer {
            file,
            buf: Vec::with_capacity(2 * READ_SIZE),
            pos: 0,
            eof: false,
            lines,
            base: offset,
            max_rows,
            next,
            path: path.display().to_string(),
        })
    }

    /// Refills `c` with up to `max_rows` records; false at the end of input.
    pub(crate) fn fill(&mut self, c: &mut TextChunk) -> Result<bool, AttributeError> {
        c.data.clear();
        c.spans.clear();
        loop {
            let need_more = self.frame(c);
            if c.spans.len() >= self.max_rows || c.data.len() >= CHUNK_BYTES || !need_more {
                c.end_offset = self.base + self.pos as u64;
                c.utf8 = std::str::from_utf8(&c.data).is_ok();
                return Ok(!c.spans.is_empty());
            }
            self.read_more()?;
        }
    }

    /// Frames records from the buffer into `c`; true if more bytes are needed.
    fn frame(&mut self, c: &mut TextChunk) -> bool {
        let (seg, first) = (self.pos, c.spans.len());
        let mut need_more = false;
        while c.spans.len() < self.max_rows && c.data.len() + self.pos - seg < CHUNK_BYTES {
            match (self.next)(&self.buf, self.pos, self.eof, MAX_RECORD) {
                Found::Record { start, end, kind } => {
                    self.lines.feed(&self.buf[self.pos..start]);
                    let line = self.lines.line;
                    if kind != Kind::Plain {
                        self.lines.feed(&self.buf[start..end]);
                    }
                    c.spans.push(Span {
                        start: start as u32,
                        end: end as u32,
                        line,
                        kind,
                    });
                    self.pos = end;
                }
                Found::Exhausted(p) => {
                    self.lines.feed(&self.buf[self.pos..p]);
                    self.pos = p;
                    break;
                }
                Found::NeedMore => {
                    need_more = true;
                    break;
                }
            }
        }
        let shift = c.data.len() as i64 - seg as i64;
        c.data.extend_from_slice(&self.buf[seg..self.pos]);
        for s in &mut c.spans[first..] {
            s.start = (s.start as i64 + shift) as u32;
            s.end = (s.end as i64 + shift) as u32;
        }
        need_more
    }

    fn read_more(&mut self) -> Result<(), AttributeError> {
        self.buf.drain(..self.pos);
        self.base += self.pos as u64;
        self.pos = 0;
        if self.buf.len() > MAX_RECORD {
            return Err(AttributeError::Input(format!(
                "{}:{}: a record longer than {} MiB (not CSV, or a runaway quote)",
                self.path,
                self.lines.line,
                MAX_RECORD >> 20
            )));
        }
        let len = self.buf.len();
        self.buf.resize(len + READ_SIZE, 0);
        let n = loop {
            match self.file.read(&mut self.buf[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(AttributeError::Io(format!("{}: {e}", self.path))),
            }
        };
        self.buf.truncate(len + n);
        self.eof = n == 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(String, Kind)> {
        let buf = text.as_bytes();
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            match next_record(buf, pos, true, 1 << 20) {
                Found::Record { start, end, kind } => {
                    out.push((text[start..end].to_string(), kind));
                    pos = end;
                }
                Found::Exhausted(_) => return out,
                Found::NeedMore => panic!("eof given"),
            }
        }
    }

    #[test]
    fn frames_like_the_csv_reader() {
        use Kind::*;
        assert_eq!(
            all("a,b\r\n\r\n1,2\r3,\"x\ny\"\n\"q\"\"\",4"),
            vec![
                ("a,b".into(), Plain),
                ("1,2".into(), Plain),
                ("3,\"x\ny\"".into(), Quoted),
                ("\"q\"\"\",4".into(), Quoted),
            ]
        );
        // A quote inside an unquoted field is literal.
        assert_eq!(all("ab\"c,d\n"), vec![("ab\"c,d".into(), Quoted)]);
    }

    #[test]
    fn an_unterminated_quote_is_cut_at_its_line() {
        assert_eq!(
            all("1,\"open\n2,3\n4,5\n"),
            vec![
                ("1,\"open".into(), Kind::Unterminated(2)),
                ("2,3".into(), Kind::Plain),
                ("4,5".into(), Kind::Plain),
            ]
        );
    }

    #[test]
    fn waits_for_more_bytes_mid_record() {
        assert_eq!(next_record(b"1,2", 0, false, 100), Found::NeedMore);
        assert_eq!(next_record(b"1,\"2\n", 0, false, 100), Found::NeedMore);
        assert_eq!(next_record(b"1,\"2\"", 0, false, 100), Found::NeedMore);
        assert_eq!(next_record(b"\n\n", 0, false, 100), Found::NeedMore);
        assert_eq!(next_record(b"\n\n", 0, true, 100), Found::Exhausted(2));
    }

    #[test]
    fn counts_lines_like_an_editor() {
        let mut l = Lines::new();
        l.feed(b"a\r\nb\rc\nd");
        assert_eq!(l.line, 4);
        let mut l = Lines::new();
        l.feed(b"a\r");
        l.feed(b"\nb");
        assert_eq!(l.line, 2);
    }
}
