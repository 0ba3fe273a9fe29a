//! Dataset loading (`--data DIR`, SIGHUP reloads): the embedded dataset with
//! one file (the manifest or a layer, chosen by the first byte) replaced by
//! the fuzz bytes, through reading, parsing and full validation. A bad file is
//! an error, never a panic and never a half-built Atlas.
#![no_main]
use libfuzzer_sys::fuzz_target;
use liuyu::atlas::{embedded, AtlasError, RawDataset};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let files = embedded::FILES;
    let target = files[sel as usize % files.len()].0;
    let raw = RawDataset::read_with(|name| {
        if name == target {
            return Ok(bytes.to_vec());
        }
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.to_vec())
            .ok_or_else(|| AtlasError::Io {
                path: name.to_string(),
                message: "not in the dataset".into(),
            })
    });
    if let Ok(raw) = raw {
        let _ = liuyu::Atlas::from_raw(raw, true);
    }
});
