//! 条款: the numbered clauses of the seed document and its seven parts.

use serde::{Deserialize, Serialize};

/// The document the clauses come from (实施意见).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Chinese title.
    pub title_zh: String,
    /// English title (our translation).
    pub title_en: String,
    /// Date of issue, `YYYY-MM-DD`.
    pub date: String,
    /// Issuing bodies in short, Chinese.
    pub issuer_zh: String,
    /// Issuing bodies in short, English.
    pub issuer_en: String,
    /// The issuing bodies (印发单位), in the order the text lists them.
    pub issuers: Vec<String>,
    /// What the text says of its national basis, in our words (it names no
    /// national document).
    pub national_basis: String,
}

/// One of the seven parts (部分), numbered 一 to 七.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// Part id, a Chinese numeral (`"五"`).
    pub id: String,
    /// Short title, Chinese (our words).
    pub title_zh: String,
    /// Short title, English.
    pub title_en: String,
}

/// A numbered clause (条), such as `(十四)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Clause id, the Chinese numeral without brackets (`"十四"`).
    pub id: String,
    /// The same number as an integer (14).
    pub number: u8,
    /// Id of the part the clause belongs to.
    pub part: String,
    /// Short title, Chinese (our words).
    pub title_zh: String,
    /// Short title, English.
    pub title_en: String,
    /// Summary, Chinese, paraphrased (not a quotation).
    pub summary_zh: String,
    /// Summary, English.
    pub summary_en: String,
}

/// The whole `clauses.toml` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseFile {
    /// The source document.
    pub document: Document,
    /// The seven parts.
    pub part: Vec<Part>,
    /// The twenty clauses.
    pub clause: Vec<Clause>,
}

/// Converts a Chinese numeral from 一 (1) to 九十九 (99) to its value.
///
/// Returns `None` for anything else, so callers can validate clause ids.
pub fn chinese_numeral(s: &str) -> Option<u8> {
    fn digit(c: char) -> Option<u8> {
        "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .and_then(|p| u8::try_from(p + 1).ok())
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [c] => digit(*c),
        ['十', u] => digit(*u).map(|u| 10 + u),
        [t, '十'] => digit(*t).filter(|t| *t >= 2).map(|t| t * 10),
        [t, '十', u] => {
            let t = digit(*t).filter(|t| *t >= 2)?;
            digit(*u).map(|u| t * 10 + u)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::chinese_numeral;

    #[test]
    fn numerals() {
        assert_eq!(chinese_numeral("一"), Some(1));
        assert_eq!(chinese_numeral("十"), Some(10));
        assert_eq!(chinese_numeral("十四"), Some(14));
        assert_eq!(chinese_numeral("二十"), Some(20));
        assert_eq!(chinese_numeral("二十三"), Some(23));
        assert_eq!(chinese_numeral("一十"), None);
        assert_eq!(chinese_numeral(""), None);
        assert_eq!(chinese_numeral("14"), None);
        assert_eq!(chinese_numeral("十十"), None);
    }
}
