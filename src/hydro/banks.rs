//! Bank pairs (左右岸): reaches where a river forms or follows the boundary
//! between two jurisdictions, with the left and right bank (facing downstream).
//!
//! Method: every [`BANK_STEP_KM`] along the river the jurisdictions
//! [`BANK_OFFSET_KM`] to the left and to the right of the line are looked up
//! (`Atlas::locate`). Where they differ, that sample is a bank-pair sample; runs
//! of samples with the same pair make a reach. Runs shorter than
//! [`BANK_MIN_RUN_KM`] are dropped (a line crossing a border, not following it).
//! The offset is the documented buffer tolerance: it must exceed the offset of
//! the WDBII line from the true channel and half the channel width.
use super::geom::{from_xy, to_xy};
use super::graph::RiverGraph;
use crate::atlas::Atlas;
use serde::Serialize;

/// Distance from the line at which each bank is looked up, km.
pub const BANK_OFFSET_KM: f64 = 2.0;
/// Sampling step along the river, km.
pub const BANK_STEP_KM: f64 = 0.5;
/// Shortest reported bank-pair run, km.
pub const BANK_MIN_RUN_KM: f64 = 3.0;

/// A unit on one bank.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BankSide {
    /// County adcode (null outside Hubei).
    pub county: Option<String>,
    /// County name, or `outside Hubei`.
    pub county_name: String,
    /// Prefecture adcode.
    pub prefecture: Option<String>,
    /// Prefecture name.
    pub prefecture_name: String,
    /// Province adcode: 420000 in Hubei, else the neighbouring province
    /// (相邻省份) the bank lies in; null beyond the six neighbours.
    pub province: Option<String>,
    /// Province name.
    pub province_name: Option<String>,
}

/// One bank-pair reach.
#[derive(Debug, Clone, Serialize)]
pub struct BankPair {
    /// River id.
    pub river: String,
    /// Left bank facing downstream.
    pub left: BankSide,
    /// Right bank facing downstream.
    pub right: BankSide,
    /// Start, km from the river's upstream end in the network.
    pub km_from: f64,
    /// End, km.
    pub km_to: f64,
    /// Length, km.
    pub length_km: f64,
    /// `prefecture` when the two banks lie in different prefectures, else `county`.
    pub level: &'static str,
    /// Midpoint of the reach (lon, lat).
    pub mid: [f64; 2],
}

fn side(atlas: &Atlas, p: (f64, f64)) -> BankSide {
    let l = atlas.locate(p.0, p.1);
    let province = l.province.as_ref().or(l.neighbouring_province.as_ref());
    BankSide {
        province: province.map(|p| p.adcode.clone()),
        province_name: province.map(|p| p.name.clone()),
        county: l.county.as_ref().map(|c| c.adcode.clone()),
        county_name: l
            .county
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "outside Hubei".into()),
        prefecture: l.prefecture.as_ref().map(|c| c.adcode.clone()),
        prefecture_name: l
            .prefecture
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "outside Hubei".into()),
    }
}

/// Computes the bank pairs of one river (by index).
pub fn bank_pairs(g: &RiverGraph, atlas: &Atlas, river: usize) -> Vec<BankPair> {
    let r = &g.rivers[river];
    let mut samples: Vec<(f64, BankSide, BankSide, (f64, f64))> = Vec::new();
    let mut base = 0.0;
    for &ei in &r.edges {
        let e = &g.edges[ei];
        let len = e.length_km();
        let n = ((len / BANK_STEP_KM).ceil() as usize).max(1);
        for k in 0..n {
            let d = (k as f64 + 0.5) * len / n as f64;
            let p = e.point_at(d);
            let a = e.point_at((d - 0.2).max(0.0));
            let b = e.point_at((d + 0.2).min(len));
            let lat0 = p.1;
            let (ax, ay) = to_xy(a, lat0);
            let (bx, by) = to_xy(b, lat0);
            let (dx, dy) = (bx - ax, by - ay);
            let norm = (dx * dx + dy * dy).sqrt();
            if norm == 0.0 {
                continue;
            }
            let (lx, ly) = (-dy / norm * BANK_OFFSET_KM, dx / norm * BANK_OFFSET_KM);
            let (px, py) = to_xy(p, lat0);
            let left = side(atlas, from_xy((px + lx, py + ly), lat0));
            let right = side(atlas, from_xy((px - lx, py - ly), lat0));
            samples.push((base + d, left, right, p));
        }
        base += len;
    }
    let step = BANK_STEP_KM;
    let mut out: Vec<BankPair> = Vec::new();
    let mut i = 0;
    while i < samples.len() {
        let (k0, l, rt, _) = &samples[i];
        let mut j = i;
        while j + 1 < samples.len() && samples[j + 1].1 == *l && samples[j + 1].2 == *rt {
            j += 1;
        }
        let k1 = samples[j].0;
        let length = k1 - k0 + step;
        if l != rt && (l.county.is_some() || rt.county.is_some()) && length >= BANK_MIN_RUN_KM {
            let mid = samples[(i + j) / 2].3;
            out.push(BankPair {
                river: r.id.clone(),
                left: l.clone(),
                right: rt.clone(),
                km_from: ((k0 - step / 2.0) * 10.0).round() / 10.0,
                km_to: ((k1 + step / 2.0) * 10.0).round() / 10.0,
                length_km: (length * 10.0).round() / 10.0,
                level: if l.prefecture != rt.prefecture {
                    "prefecture"
                } else {
                    "county"
                },
                mid: [mid.0, mid.1],
            });
        }
        i = j + 1;
    }
    out
}
