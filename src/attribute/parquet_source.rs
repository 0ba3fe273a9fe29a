//! The Parquet input file as the `parquet` crate reads it (Parquet 输入文件),
//! with every read kept inside the file.
//!
//! The crate's own `ChunkReader` for `File` hands out readers that answer
//! `Ok(0)` at the end of the file; its Thrift decoder, skipping a field a
//! malformed page header declares to be huge, then reads zero bytes in a loop
//! (a 935-byte file kept `liuyu attribute` busy for seconds; found by the
//! `attribute` fuzz target). Here a read at the end of the file is an error,
//! which ends the decoding, and a range past the end is refused before any
//! buffer for it is allocated.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Take};

use bytes::Bytes;
use parquet::errors::{ParquetError, Result};
use parquet::file::reader::{ChunkReader, Length};

/// A Parquet file whose readers end with an error at the end of the file.
pub(crate) struct ParquetSource {
    file: File,
    len: u64,
}

impl ParquetSource {
    /// Wraps an open file (its length is read once).
    pub(crate) fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(ParquetSource { file, len })
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
        if !end.is_some_and(|e| e <= self.len) {
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
        let s = ParquetSource::new(File::open(&p).expect("open")).expect("len");
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
