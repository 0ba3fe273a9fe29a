//! Judicial linkage (行政执法与刑事司法衔接, clause 十八): for a suspected
//! crime, the organs and the steps the text names — transfer by the
//! environment department (and other functional departments) of the places
//! where the case arose; filing and investigation by the police; prosecution
//! and legal supervision by the procuratorate; trial by the competent court
//! under the law. The service claims no court or police level: jurisdiction
//! over a case is set by law, not by this document.

use serde_json::{json, Value};

use super::super::body::Level;
use super::super::mechanism::Mechanism;
use super::super::places::place;
use super::departments::department_at;
use super::Context;
use crate::atlas::LayerKind;

/// Whether the judicial linkage applies: a crime-themed matter, or any matter
/// flagged as a suspected crime.
pub(super) fn applies(cx: &Context, m: &Mechanism) -> bool {
    cx.suspected_crime
        || cx
            .matter
            .is_some_and(|x| m.themes.iter().any(|t| x.has_theme(t)))
}

/// The generic name of an organ (`{place}公安机关` -> `公安机关`).
fn organ(cx: &Context, id: &str) -> Value {
    match cx.rules.department(id) {
        Some(d) => json!({
            "id": d.id,
            "name_zh": d.local_zh.replace("{place}", ""),
            "name_en": d.name_en,
        }),
        None => Value::Null,
    }
}

/// The chain of steps, each with its organ; the first step names the
/// departments of the party prefectures (each in its own area).
pub(super) fn applies_to(cx: &Context, m: &Mechanism) -> Value {
    let transferring: Vec<Value> = cx
        .party_units(LayerKind::Prefecture)
        .iter()
        .filter_map(|p| {
            let first = m.chain.first()?;
            department_at(cx, &first.department, Level::Prefecture, &place(p)).map(|d| json!(d))
        })
        .collect();
    let chain: Vec<Value> = m
        .chain
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut v = json!({
                "step": s.step,
                "step_zh": s.step_zh,
                "organ": organ(cx, &s.department),
                "jurisdiction": "set by law (normally where the case arose); this service claims no level",
            });
            if i == 0 {
                v["jurisdiction"] = json!("the departments of the places where the case arose, each in its own area");
                v["departments"] = json!(transferring);
            }
            v
        })
        .collect();
    let partners: Vec<Value> = m.partners.iter().map(|d| organ(cx, d)).collect();
    json!({
        "chain": chain,
        "partners": partners,
        "court": "trial by the competent people's court under the law; the text names no court level and neither does this service",
    })
}
