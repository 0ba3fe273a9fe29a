//! The seed text (`../shared/seed`) and the no-copy rule of issue 11: no text
//! of ours — no file under `data/governance/`, no string the service serves —
//! shares a run of [`RUN`] or more characters with the seed, except the terms
//! the seed itself puts in quotation marks (“…”, and titles in 《…》) and the
//! proper names of bodies and departments (a name is not a quotation).
//! Whitespace is ignored (the extraction breaks lines mid-sentence) and
//! full-width punctuation is compared as its ASCII twin.

use std::path::{Path, PathBuf};

use liuyu::governance::Rules;

/// Shortest shared run that counts as copying.
pub const RUN: usize = 12;

/// The seed files, concatenated in name order; `None` when `../shared/seed` is absent.
pub fn seed_raw() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        return None;
    }
    Some(
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("seed file readable"))
            .collect(),
    )
}

/// Whitespace removed, full-width ，（）：； as ASCII.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '，' => ',',
            '（' => '(',
            '）' => ')',
            '：' => ':',
            '；' => ';',
            c => c,
        })
        .collect()
}

/// Terms between `open` and `close` in `text`, with and without the marks.
fn quoted(text: &str, open: char, close: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(a) = rest.find(open) {
        let after = &rest[a + open.len_utf8()..];
        let Some(b) = after.find(close) else { break };
        let term = &after[..b];
        out.push(normalise(term));
        out.push(normalise(&format!("{open}{term}{close}")));
        rest = &after[b + close.len_utf8()..];
    }
    out
}

/// The rule, for one set of rules (whose body and department names are masked).
pub struct CopyRule {
    seed: String,
    masks: Vec<String>,
}

impl CopyRule {
    /// `None` without the seed text.
    pub fn new(rules: &Rules) -> Option<CopyRule> {
        let raw = seed_raw()?;
        let mut masks = quoted(&raw, '“', '”');
        masks.extend(quoted(&raw, '《', '》'));
        for b in &rules.bodies {
            masks.extend(b.name_zh.split("{place}").map(normalise));
        }
        for d in &rules.departments {
            masks.push(normalise(&d.province_zh));
            masks.extend(d.local_zh.split("{place}").map(normalise));
        }
        masks.retain(|m| m.chars().count() >= 2);
        masks.sort_by_key(|m| std::cmp::Reverse(m.chars().count()));
        masks.dedup();
        Some(CopyRule {
            seed: normalise(&raw),
            masks,
        })
    }

    /// The runs of [`RUN`] characters of `text` found in the seed, after the
    /// quoted terms and names are masked out.
    pub fn copied(&self, text: &str) -> Vec<String> {
        let mut t = normalise(text);
        for m in &self.masks {
            t = t.replace(m.as_str(), "\u{0}");
        }
        let chars: Vec<char> = t.chars().collect();
        let mut out: Vec<String> = chars
            .windows(RUN)
            .map(|w| w.iter().collect::<String>())
            .filter(|w: &String| !w.contains('\u{0}') && self.seed.contains(w.as_str()))
            .collect();
        out.dedup();
        out
    }
}
