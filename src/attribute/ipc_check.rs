//! A structural check of an Arrow IPC file (Arrow 文件结构检查) before it is
//! handed to `arrow-ipc`: the footer, and every record batch and dictionary
//! block it lists, must lie inside the file.
//!
//! `arrow-ipc`'s `FileReader` allocates and zero-fills a buffer of the length a
//! block declares before reading it, so a 759-byte file declaring a 4 GiB
//! block made `liuyu attribute` take 4 GiB and seconds before failing (found by
//! the `attribute` fuzz target). The check reads only the footer.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::AttributeError;

/// The file's magic bytes, at the start and before the footer length.
const MAGIC: &[u8; 6] = b"ARROW1";

/// The largest footer accepted (a footer lists 24 bytes per block).
const MAX_FOOTER: u64 = 64 << 20;

fn bad(path: &Path, why: impl std::fmt::Display) -> AttributeError {
    AttributeError::Input(format!(
        "{}: malformed Arrow IPC file: {why}",
        path.display()
    ))
}

/// Checks that the footer and every block it lists lie inside `file`.
pub(crate) fn check_blocks(path: &Path, file: &mut File) -> Result<(), AttributeError> {
    let io = |e: std::io::Error| AttributeError::Io(format!("{}: {e}", path.display()));
    let len = file.metadata().map_err(io)?.len();
    if len < 8 + 10 {
        return Err(bad(path, "shorter than the smallest Arrow IPC file"));
    }
    let mut tail = [0u8; 10];
    file.seek(SeekFrom::Start(len - 10)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    if &tail[4..] != MAGIC {
        return Err(bad(path, "no ARROW1 magic at the end"));
    }
    let footer_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    // The footer ends where its length field starts; blocks must end before it.
    let blocks_end = (len - 10)
        .checked_sub(footer_len)
        .filter(|_| footer_len <= MAX_FOOTER)
        .ok_or_else(|| {
            bad(
                path,
                format!("footer length {footer_len} does not fit the file"),
            )
        })?;
    let mut footer = vec![0u8; usize::try_from(footer_len).unwrap_or(0)];
    file.seek(SeekFrom::Start(blocks_end)).map_err(io)?;
    file.read_exact(&mut footer).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let footer = arrow_ipc::root_as_footer(&footer).map_err(|e| bad(path, e))?;
    let blocks = footer.recordBatches().into_iter().flatten();
    let dicts = footer.dictionaries().into_iter().flatten();
    for (i, b) in blocks.chain(dicts).enumerate() {
        let end = u64::try_from(b.offset())
            .ok()
            .zip(u64::try_from(b.metaDataLength()).ok())
            .zip(u64::try_from(b.bodyLength()).ok())
            .and_then(|((o, m), body)| o.checked_add(m)?.checked_add(body));
        if end.is_none_or(|e| e > blocks_end) {
            return Err(bad(path, format!("block {i} lies outside the file")));
        }
    }
    Ok(())
}
