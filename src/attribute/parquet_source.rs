//! The Parquet input file as the `parquet` crate reads it (Parquet 输入文件),
//! with every read kept inside the file.
//!
//! The crate's own `ChunkReader` for `File` hands out readers that answer
//! `Ok(0)` at the end of the file; its Thrift decoder, skipping a field a
//! malformed page header declares to be huge, then reads zero bytes in a loop
//! (a 935-byte file kept `liuyu attribute` busy for seconds; found by the
//! `attribute` fuzz target). Here a read at the end of the file is an error,
//! which ends the decoding, and a range past the end is refused before any
//! buffer for it is allocated. The footer and every page header are walked
//! by [`thrift_check`] before `parquet` decodes them.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Take};

use bytes::Bytes;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::{ChunkReader, Length};

use super::thrift_check::{self, Malformed, Walked};

/// A Parquet file whose readers end with an error at the end of the file.
pub(crate) struct ParquetSource {
    file: File,
    len: u64,
}

impl ParquetSource {
    /// Wraps an open file (its length is read once) whose footer passes the
    /// compact-Thrift check ([`thrift_check`]).
    pub(crate) fn open(file: File) -> std::result::Result<Self, String> {
        let len = file.metadata().map_err(|e| e.to_string())?.len();
        let source = ParquetSource { file, len };
        source.check_footer()?;
        Ok(source)
    }

    /// Another handle on the same file (reads here never share a cursor).
    pub(crate) fn try_clone(&self) -> io::Result<Self> {
        Ok(ParquetSource {
            file: self.file.try_clone()?,
            len: self.len,
        })
    }

    /// The footer (file metadata) walked before `parquet` decodes it. A file
    /// too short or without the `PAR1` magic is left to `parquet`'s errors.
    fn check_footer(&self) -> std::result::Result<(), String> {
        let Some(tail) = self
            .len
            .checked_sub(8)
            .and_then(|at| self.get_bytes(at, 8).ok())
        else {
            return Ok(());
        };
        if &tail[4..] != b"PAR1" {
            return Ok(());
        }
        let n = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
        let Some(at) = (self.len - 8).checked_sub(n) else {
            return Ok(());
        };
        let footer = self.get_bytes(at, n as usize).map_err(|e| e.to_string())?;
        thrift_check::walk_struct(&footer, 0)
            .map(|_| ())
            .map_err(|e| format!("malformed footer: {}", why(e)))
    }

    /// Every page header of every column chunk walked before `parquet` reads
    /// it: each must give its page size (field 3), and the header and its
    /// page must end inside the chunk.
    pub(crate) fn check_pages(&self, meta: &ParquetMetaData) -> std::result::Result<(), String> {
        for (g, rg) in meta.row_groups().iter().enumerate() {
            for (c, col) in rg.columns().iter().enumerate() {
                let (start, len) = col.byte_range();
                let end = start.checked_add(len).ok_or("a column chunk past 2^64")?;
                let mut at = start;
                while at < end {
                    let w = self
                        .header_at(at, end)
                        .map_err(|e| format!("row group {g}, column {c}, offset {at}: {e}"))?;
                    let size = w
                        .field
                        .and_then(|s| u64::try_from(s).ok())
                        .ok_or_else(|| format!("page header at {at} without a page size"))?;
                    at = at.saturating_add(w.len as u64).saturating_add(size);
                    if at > end {
                        return Err(format!(
                            "row group {g}, column {c}: a page of {size} bytes runs past its column chunk"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Walks the page header at `at`, reading a window that grows fourfold
    /// until the header fits (or the chunk ends at `end`).
    fn header_at(&self, at: u64, end: u64) -> std::result::Result<Walked, String> {
        let mut window = 4096u64;
        loop {
            let n = window.min(end - at);
            let bytes = self.get_bytes(at, n as usize).map_err(|e| e.to_string())?;
            match thrift_check::walk_struct(&bytes, 3) {
                Ok(w) => return Ok(w),
                Err(Malformed::Truncated) if n < end - at => window = window.saturating_mul(4),
                Err(e) => return Err(format!("malformed page header: {}", why(e))),
            }
        }
    }
}

fn why(e: Malformed) -> String {
    match e {
        Malformed::Truncated => "it runs past its bytes".into(),
        Malformed::Bad(m) => m,
    }
}

impl Length for ParquetSource {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for ParquetSource {
    type T = BufReader<EofIsError<Take<File>>>;

    fn get_read(&self, start: u64) -> Result<Self::T> {
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        let rest = self.len.saturating_sub(start);
        Ok(BufReader::new(EofIsError(f.take(rest))))
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        let end = u64::try_from(length)
            .ok()
            .and_then(|l| start.checked_add(l));
        if end.is_none_or(|e| e > self.len) {
            return Err(ParquetError::EOF(format!(
                "a range of {length} bytes at offset {start} lies outside the file ({} bytes)",
                self.len
            )));
        }
        self.file.get_bytes(start, length)
    }
}

/// A reader for which the end of its input is an error, not `Ok(0)`.
pub(crate) struct EofIsError<R>(R);

impl<R: Read> Read for EofIsError<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.0.read(buf)? {
            0 => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the file",
            )),
            n => Ok(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_end_with_an_error_and_ranges_stay_inside() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f");
        std::fs::write(&p, b"0123456789").expect("write");
        let s = ParquetSource::open(File::open(&p).expect("open")).expect("len");
        let mut r = s.get_read(4).expect("read");
        let mut buf = Vec::new();
        let e = r.read_to_end(&mut buf).expect_err("the end is an error");
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(buf, b"456789");
        assert_eq!(&s.get_bytes(2, 8).expect("inside")[..], b"23456789");
        assert!(s.get_bytes(2, 9).is_err());
        assert!(s.get_bytes(u64::MAX, 2).is_err());
        assert!(s.get_bytes(0, usize::MAX).is_err());
    }
}
