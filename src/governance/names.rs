//! 地名与事项名: names accepted everywhere an adcode or a matter id is — a
//! place by adcode, name or alias (`420100`, `武汉市`, `武汉`, `江汉区`), a matter
//! by id, alias, Chinese or English name (`straw_burning`, `秸秆焚烧`) — and the
//! name search behind `GET /v1/places` and `liuyu places`.
//!
//! Matching is exact first (name or id), then alias (short name, English
//! name), then prefix, then substring; ASCII is compared case-insensitively.
//! A name that resolves to more than one unit, or to none, is refused with
//! the candidates (adcode and name) so the caller can choose.

use geo::InteriorPoint;
use serde::Serialize;

use crate::atlas::{Atlas, LayerKind, Unit};

use super::matter::Matter;
use super::water::PlaceRef;
use super::Rules;

/// Default and largest number of places a search returns.
pub const SEARCH_LIMIT: (usize, usize) = (10, 50);

/// How a name matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The name or id itself.
    Exact,
    /// A short name or English name.
    Alias,
    /// The name (or an alias) starts with the query.
    Prefix,
    /// The name (or an alias) contains the query.
    Contains,
}

/// Kind of a named place, in ranking order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// 省.
    Province,
    /// 地级单位 (市, 州, 省直管市, 林区).
    Prefecture,
    /// 县级单位.
    County,
    /// 河流.
    River,
}

/// A place that can be searched for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceEntry {
    /// Kind.
    pub kind: PlaceKind,
    /// Adcode, or river id.
    pub id: String,
    /// Name (`武汉市`).
    pub name: String,
    /// The unit above (prefecture of a county, province of a prefecture).
    pub parent: Option<PlaceRef>,
    /// A point to put the label on, [lon, lat].
    pub label: [f64; 2],
    /// [min lon, min lat, max lon, max lat].
    pub bbox: [f64; 4],
    /// Short and English names.
    #[serde(skip)]
    pub aliases: Vec<String>,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceMatch {
    /// The place.
    #[serde(flatten)]
    pub place: PlaceEntry,
    /// How it matched.
    #[serde(rename = "match")]
    pub matched: MatchKind,
}

/// A candidate in a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Adcode or id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `province`, `prefecture`, `county`, `river` or `matter`.
    pub kind: String,
}

/// A name that does not resolve to exactly one thing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Several things carry the name.
    #[error("`{query}` is ambiguous for {what}: {}", list(.candidates))]
    Ambiguous {
        /// The name asked for.
        query: String,
        /// What was looked for (`place`, `prefecture`, `matter`).
        what: &'static str,
        /// The things it may mean.
        candidates: Vec<Candidate>,
    },
    /// Nothing carries the name.
    #[error("`{query}` is not a known {what}{}", if .candidates.is_empty() { String::new() } else { format!("; candidates: {}", list(.candidates)) })]
    Unknown {
        /// The name asked for.
        query: String,
        /// What was looked for.
        what: &'static str,
        /// Close names, or every valid value when the list is short.
        candidates: Vec<Candidate>,
    },
}

impl NameError {
    /// The candidates of the refusal.
    pub fn candidates(&self) -> &[Candidate] {
        match self {
            NameError::Ambiguous { candidates, .. } | NameError::Unknown { candidates, .. } => {
                candidates
            }
        }
    }
}

fn list(c: &[Candidate]) -> String {
    c.iter()
        .map(|c| format!("{} ({})", c.name, c.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fold(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

fn bbox(u: &Unit) -> [f64; 4] {
    u.bbox()
        .map(|b| [b.min().x, b.min().y, b.max().x, b.max().y])
        .unwrap_or([0.0; 4])
}

fn label(u: &Unit) -> [f64; 2] {
    match (
        u.properties.get("label_lon").and_then(|v| v.as_f64()),
        u.properties.get("label_lat").and_then(|v| v.as_f64()),
    ) {
        (Some(x), Some(y)) => [x, y],
        _ => u
            .geometry
            .interior_point()
            .map(|p| [(p.x() * 1e6).round() / 1e6, (p.y() * 1e6).round() / 1e6])
            .unwrap_or([0.0, 0.0]),
    }
}

fn admin_entry(atlas: &Atlas, kind: PlaceKind, u: &Unit) -> PlaceEntry {
    let parent = match kind {
        PlaceKind::County => u
            .prop_str("prefecture")
            .and_then(|p| atlas.layer(LayerKind::Prefecture).get(p)),
        PlaceKind::Prefecture => atlas.layer(LayerKind::Province).units.first(),
        _ => None,
    }
    .map(|p| PlaceRef {
        id: p.id.clone(),
        name: p.name.clone(),
    });
    let aliases = ["short_name", "name_en"]
        .iter()
        .filter_map(|k| u.prop_str(k))
        .filter(|a| *a != u.name)
        .map(str::to_string)
        .collect();
    PlaceEntry {
        kind,
        id: u.id.clone(),
        name: u.name.clone(),
        parent,
        label: label(u),
        bbox: bbox(u),
        aliases,
    }
}

/// Every administrative place of the atlas: the province, the prefectures,
/// and the counties (a province-administered unit such as 仙桃 once, as a
/// prefecture). Built once per data version (labels and bounding boxes read
/// every vertex) and shared.
pub fn admin_places(atlas: &Atlas) -> std::sync::Arc<Vec<PlaceEntry>> {
    use std::sync::{Arc, Mutex};
    static CACHE: Mutex<Option<(String, Arc<Vec<PlaceEntry>>)>> = Mutex::new(None);
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((v, places)) = guard.as_ref() {
        if v == atlas.version() {
            return places.clone();
        }
    }
    let places = Arc::new(build_admin_places(atlas));
    *guard = Some((atlas.version().to_string(), places.clone()));
    places
}

fn build_admin_places(atlas: &Atlas) -> Vec<PlaceEntry> {
    let mut out: Vec<PlaceEntry> = Vec::new();
    for (layer, kind) in [
        (LayerKind::Province, PlaceKind::Province),
        (LayerKind::Prefecture, PlaceKind::Prefecture),
        (LayerKind::County, PlaceKind::County),
    ] {
        for u in &atlas.layer(layer).units {
            if !out.iter().any(|p| p.id == u.id) {
                out.push(admin_entry(atlas, kind, u));
            }
        }
    }
    out
}

/// How `q` (folded) matches a place, if at all.
fn match_kind(q: &str, p: &PlaceEntry) -> Option<MatchKind> {
    let name = fold(&p.name);
    let aliases: Vec<String> = p.aliases.iter().map(|a| fold(a)).collect();
    if q == name || q == fold(&p.id) {
        return Some(MatchKind::Exact);
    }
    if aliases.iter().any(|a| *a == q) {
        return Some(MatchKind::Alias);
    }
    let all = || std::iter::once(&name).chain(aliases.iter());
    if all().any(|a| a.starts_with(q)) || (q.len() >= 2 && fold(&p.id).starts_with(q)) {
        return Some(MatchKind::Prefix);
    }
    if all().any(|a| a.contains(q)) {
        return Some(MatchKind::Contains);
    }
    None
}

/// Places matching `q`, best first (match kind, then place kind, then id).
pub fn search(places: &[PlaceEntry], q: &str, limit: usize) -> Vec<PlaceMatch> {
    let q = fold(q);
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<PlaceMatch> = places
        .iter()
        .filter_map(|p| {
            match_kind(&q, p).map(|m| PlaceMatch {
                place: p.clone(),
                matched: m,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        (a.matched, a.place.kind, &a.place.id).cmp(&(b.matched, b.place.kind, &b.place.id))
    });
    hits.truncate(limit);
    hits
}

fn candidate(p: &PlaceEntry) -> Candidate {
    Candidate {
        id: p.id.clone(),
        name: p.name.clone(),
        kind: serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

/// Resolves one place (adcode, name or alias) among `places` of the kinds
/// allowed: exactly one exact-or-alias match, else an error with candidates
/// (the ambiguous matches; or the closest prefix/substring matches; or, when
/// there are none and the allowed set is small, every allowed place).
pub fn resolve<'a>(
    places: &'a [PlaceEntry],
    q: &str,
    kinds: &[PlaceKind],
    what: &'static str,
) -> Result<&'a PlaceEntry, NameError> {
    let allowed: Vec<&PlaceEntry> = places.iter().filter(|p| kinds.contains(&p.kind)).collect();
    let folded = fold(q);
    let query: String = q.trim().chars().take(40).collect();
    let mut best: Vec<(MatchKind, &PlaceEntry)> = allowed
        .iter()
        .filter_map(|p| match_kind(&folded, p).map(|m| (m, *p)))
        .collect();
    best.sort_by(|a, b| (a.0, a.1.kind, &a.1.id).cmp(&(b.0, b.1.kind, &b.1.id)));
    let strong: Vec<&PlaceEntry> = best
        .iter()
        .filter(|(m, _)| *m <= MatchKind::Alias)
        .map(|(_, p)| *p)
        .collect();
    match strong.as_slice() {
        [one] => return Ok(one),
        [_, _, ..] if !folded.is_empty() => {
            // An exact name beats aliases of other units.
            let exact: Vec<&&PlaceEntry> = strong
                .iter()
                .filter(|p| match_kind(&folded, p) == Some(MatchKind::Exact))
                .collect();
            if let [one] = exact.as_slice() {
                return Ok(one);
            }
            return Err(NameError::Ambiguous {
                query,
                what,
                candidates: strong.iter().map(|p| candidate(p)).collect(),
            });
        }
        _ => {}
    }
    let mut candidates: Vec<Candidate> = if folded.is_empty() {
        Vec::new()
    } else {
        best.iter().take(10).map(|(_, p)| candidate(p)).collect()
    };
    if candidates.is_empty() && allowed.len() <= 20 {
        candidates = allowed.iter().map(|p| candidate(p)).collect();
    }
    Err(NameError::Unknown {
        query,
        what,
        candidates,
    })
}

/// A matter asked for by id, alias, Chinese or English name: `Ok(Some)` for
/// a catalog matter, `Ok(None)` for a matter the catalog does not know and
/// resembles nothing in it (its lead department is then designated, 七), and
/// an error listing the candidates when the name partly matches catalog
/// matters (the caller may have meant one of them).
pub fn resolve_matter<'a>(rules: &'a Rules, q: &str) -> Result<Option<&'a Matter>, NameError> {
    let f = fold(q);
    let names = |m: &'a Matter| {
        std::iter::once(m.id.as_str())
            .chain(m.aliases.iter().map(String::as_str))
            .chain([m.name_zh.as_str(), m.name_en.as_str()])
            .map(fold)
    };
    if let Some(m) = rules.matters.iter().find(|m| names(m).any(|n| n == f)) {
        return Ok(Some(m));
    }
    let near: Vec<Candidate> = rules
        .matters
        .iter()
        .filter(|m| f.chars().count() >= 2 && names(m).any(|n| n.contains(&f)))
        .map(|m| Candidate {
            id: m.id.clone(),
            name: m.name_zh.clone(),
            kind: "matter".into(),
        })
        .collect();
    let query = q.trim().chars().take(64).collect();
    match near.len() {
        0 => Ok(None),
        1 => Err(NameError::Unknown {
            query,
            what: "matter",
            candidates: near,
        }),
        _ => Err(NameError::Ambiguous {
            query,
            what: "matter",
            candidates: near,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: PlaceKind, id: &str, name: &str, aliases: &[&str]) -> PlaceEntry {
        PlaceEntry {
            kind,
            id: id.into(),
            name: name.into(),
            parent: None,
            label: [0.0, 0.0],
            bbox: [0.0; 4],
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn exact_beats_alias_and_shared_aliases_are_ambiguous() {
        let places = vec![
            entry(
                PlaceKind::Prefecture,
                "422800",
                "恩施土家族苗族自治州",
                &["恩施"],
            ),
            entry(PlaceKind::County, "422801", "恩施市", &["恩施"]),
            entry(PlaceKind::County, "420103", "江汉区", &[]),
        ];
        let all = [PlaceKind::Prefecture, PlaceKind::County];
        // Two units share the alias: refused with both.
        let e = resolve(&places, "恩施", &all, "place").unwrap_err();
        assert!(matches!(e, NameError::Ambiguous { .. }));
        assert_eq!(e.candidates().len(), 2);
        // The exact name decides.
        assert_eq!(
            resolve(&places, "恩施市", &all, "place").unwrap().id,
            "422801"
        );
        // Restricted to prefectures, the alias is unique.
        let p = resolve(&places, "恩施", &[PlaceKind::Prefecture], "prefecture").unwrap();
        assert_eq!(p.id, "422800");
        // By adcode; unknown with candidates from a prefix.
        assert_eq!(
            resolve(&places, " 420103 ", &all, "place").unwrap().name,
            "江汉区"
        );
        let e = resolve(&places, "江", &all, "place").unwrap_err();
        assert!(matches!(e, NameError::Unknown { .. }));
        assert_eq!(e.candidates()[0].id, "420103");
        assert!(e.to_string().contains("江汉区 (420103)"));
    }

    #[test]
    fn search_ranks_by_match_then_kind() {
        let places = vec![
            entry(PlaceKind::County, "420103", "江汉区", &[]),
            entry(
                PlaceKind::River,
                "hanjiang",
                "汉江",
                &["Hanjiang (Han River)"],
            ),
            entry(PlaceKind::Prefecture, "420100", "武汉市", &["武汉"]),
        ];
        let hits = search(&places, "汉", 10);
        // Every name contains 汉; 汉江 starts with it.
        assert_eq!(hits[0].place.id, "hanjiang");
        assert_eq!(hits[0].matched, MatchKind::Prefix);
        let kinds: Vec<PlaceKind> = hits[1..].iter().map(|h| h.place.kind).collect();
        assert_eq!(kinds, [PlaceKind::Prefecture, PlaceKind::County]);
        assert_eq!(search(&places, "hanjiang", 10)[0].matched, MatchKind::Exact);
        assert_eq!(search(&places, "HAN", 10)[0].place.id, "hanjiang");
        assert!(search(&places, "  ", 10).is_empty());
        assert_eq!(search(&places, "汉", 1).len(), 1);
    }
}
