//! Safe outputs of bulk attribution (安全输出): every file is written to a
//! temporary file in its target directory and renamed over the target only
//! when the whole run succeeded, so a failed run leaves no partial output (and
//! an existing file untouched). An output that is the input (same file by any
//! path: symlink, hard link, `./` prefix) is refused before anything is
//! written. Bad rows stop the run (`--on-error fail`, the default) or are
//! counted, reported and optionally copied to a rejects file (`skip`).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::rows::{BadRow, Sink};
use super::{AttributeError, OnError, RunStats};

/// How many bad rows a `skip` run reports in its summary.
pub const REPORTED_BAD_ROWS: usize = 10;

/// A file being written: a temporary file beside its target.
pub(crate) struct SafeFile {
    temp: NamedTempFile,
    target: PathBuf,
}

impl SafeFile {
    /// Creates the temporary file for `target` (a symlink is followed: its
    /// destination is replaced, the link kept).
    pub(crate) fn create(target: &Path) -> Result<Self, AttributeError> {
        let io = |e: std::io::Error| AttributeError::Io(format!("{}: {e}", target.display()));
        let target = match std::fs::canonicalize(target) {
            Ok(real) => real,
            Err(_) => target.to_path_buf(),
        };
        if target.is_dir() {
            return Err(AttributeError::Usage(format!(
                "{} is a directory; --out needs a file name",
                target.display()
            )));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix).suffix(".partial");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As File::create: 0666 less the umask (tempfile's default is 0600).
            b.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = b.tempfile_in(&dir).map_err(io)?;
        if let Ok(m) = std::fs::metadata(&target) {
            // Overwriting keeps the old file's permissions, as truncation did.
            temp.as_file()
                .set_permissions(m.permissions())
                .map_err(io)?;
        }
        Ok(SafeFile { temp, target })
    }

    /// The open temporary file.
    pub(crate) fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Renames the temporary file over the target.
    pub(crate) fn commit(self) -> Result<(), AttributeError> {
        let target = self.target;
        self.temp
            .persist(&target)
            .map(|_| ())
            .map_err(|e| AttributeError::Io(format!("{}: {}", target.display(), e.error)))
    }
}

/// Refuses an output path that names the input file (or is the rejects file).
pub(crate) fn check_distinct(input: &Path, outputs: &[&Path]) -> Result<(), AttributeError> {
    let same = |a: &Path, b: &Path| {
        same_file::is_same_file(a, b).unwrap_or(false)
            || match (std::fs::canonicalize(a), absolute_parent(b)) {
                (Ok(x), Some(y)) => x == y,
                _ => false,
            }
    };
    for (i, out) in outputs.iter().enumerate() {
        if same(input, out) {
            return Err(AttributeError::Usage(format!(
                "{} is the input file: write the output to another file",
                out.display()
            )));
        }
        if outputs[..i].iter().any(|o| same(o, out) || o == out) {
            return Err(AttributeError::Usage(format!(
                "{} is given twice as an output",
                out.display()
            )));
        }
    }
    Ok(())
}

/// `path` made absolute through its canonical parent directory (for a path
/// that does not exist yet).
fn absolute_parent(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
}

/// The output and rejects files of a run and the bad-row policy.
pub(crate) struct Outputs {
    main: SafeFile,
    rejects: Option<SafeFile>,
    on_error: OnError,
}

impl Outputs {
    /// Checks the paths and creates the temporary files.
    pub(crate) fn create(
        input: &Path,
        output: &Path,
        rejects: Option<&Path>,
        on_error: OnError,
    ) -> Result<Self, AttributeError> {
        if rejects.is_some() && on_error == OnError::Fail {
            return Err(AttributeError::Usage(
                "--rejects needs --on-error skip (with fail, the first bad row stops the run)"
                    .into(),
            ));
        }
        let mut all = vec![output];
        all.extend(rejects);
        check_distinct(input, &all)?;
        Ok(Outputs {
            main: SafeFile::create(output)?,
            rejects: rejects.map(SafeFile::create).transpose()?,
            on_error,
        })
    }

    /// The main output's temporary file (for writers that own a handle).
    pub(crate) fn main_file(&mut self) -> &mut File {
        self.main.file()
    }

    /// Writes the output header and the rejects file's header.
    pub(crate) fn begin(
        &mut self,
        header: &[u8],
        rejects_header: &[u8],
    ) -> Result<(), AttributeError> {
        write(&mut self.main, header)?;
        if let Some(r) = &mut self.rejects {
            write(r, rejects_header)?;
        }
        Ok(())
    }

    /// Applies the bad-row policy to a chunk's rows, then records its counts;
    /// `Err` under `fail` when the chunk has a bad row.
    pub(crate) fn account(
        &mut self,
        file: &str,
        sink: &Sink,
        stats: &mut RunStats,
    ) -> Result<(), AttributeError> {
        if let (Some(first), OnError::Fail) = (sink.bad.first(), self.on_error) {
            return Err(AttributeError::BadRow {
                file: file.to_string(),
                row: first.clone(),
            });
        }
        if let Some(r) = &mut self.rejects {
            write(r, &sink.rejected)?;
        }
        stats.rows += sink.rows;
        stats.inside += sink.inside;
        stats.errors += sink.errors;
        stats.rejected += sink.bad.len() as u64;
        let room = REPORTED_BAD_ROWS.saturating_sub(stats.bad_rows.len());
        stats.bad_rows.extend(sink.bad.iter().take(room).cloned());
        Ok(())
    }

    /// Accounts for a chunk and writes its output bytes.
    pub(crate) fn chunk(
        &mut self,
        file: &str,
        out: &[u8],
        sink: &Sink,
        stats: &mut RunStats,
    ) -> Result<bool, AttributeError> {
        self.account(file, sink, stats)?;
        write(&mut self.main, out)?;
        Ok(true)
    }

    /// Renames every temporary file over its target.
    pub(crate) fn commit(self) -> Result<(), AttributeError> {
        if let Some(r) = self.rejects {
            r.commit()?;
        }
        self.main.commit()
    }
}

fn write(f: &mut SafeFile, bytes: &[u8]) -> Result<(), AttributeError> {
    let target = f.target.display().to_string();
    f.file()
        .write_all(bytes)
        .map_err(|e| AttributeError::Output(format!("{target}: {e}")))
}

/// The summary lines of bad rows, `FILE:LINE:COLUMN: message`.
pub fn describe(file: &str, rows: &[BadRow]) -> Vec<String> {
    rows.iter()
        .map(|r| format!("{file}:{}:{}: {}", r.line, r.column, r.message))
        .collect()
}
