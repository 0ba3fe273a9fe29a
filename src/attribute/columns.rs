//! Columnar lookup of coordinate arrays on all cores (列式批量查询), for
//! callers that hold the points in memory (the Python package).
//!
//! Every layer's answer is a dictionary-encoded column: a code per point
//! (`-1` for none) into the layer's dictionary, whose first entries are the
//! layer's unit ids in layer order; for the multi-valued layers (metro areas,
//! city clusters, corridors) the `;`-joined combinations of two or more units
//! follow. Single-valued layers hold the first containing unit (the rule of
//! `liuyu attribute` and `/v1/locate`).

use crate::crs::Crs;
use crate::index::Hit;
use crate::{Atlas, LayerKind};

/// The answer for a batch of points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedColumns {
    /// Per layer in [`LayerKind::ALL`] order: a code per point, `-1` for none.
    pub codes: Vec<Vec<i32>>,
    /// Per layer: unit ids, then combinations (multi-valued layers).
    pub dictionaries: Vec<Vec<String>>,
    /// Per point: within 1 cm of a boundary of a containing unit.
    pub on_boundary: Vec<bool>,
    /// Points that could not be placed (not finite, out of range, outside the
    /// CRS's domain): their index and why. Their codes are `-1`.
    pub errors: Vec<(usize, String)>,
}

/// Whether a layer reports every containing unit rather than the first.
pub fn is_multi_valued(kind: LayerKind) -> bool {
    matches!(
        kind,
        LayerKind::MetroArea | LayerKind::CityCluster | LayerKind::Corridor
    )
}

/// One thread's output slices and its combinations of units.
struct Part<'a> {
    first: usize,
    codes: Vec<&'a mut [i32]>,
    on_boundary: &'a mut [bool],
    /// Per layer: local combinations (unit index lists), coded after the units.
    combos: Vec<Vec<Vec<u32>>>,
    errors: Vec<(usize, String)>,
}

impl Part<'_> {
    fn run(&mut self, atlas: &Atlas, crs: &Crs, lon: &[f64], lat: &[f64]) {
        let mut hits: Vec<Hit> = Vec::with_capacity(16);
        let mut units: Vec<u32> = Vec::with_capacity(8);
        for i in 0..self.on_boundary.len() {
            let (x, y) = (lon[self.first + i], lat[self.first + i]);
            let (lo, la) = match crs.to_wgs84(x, y) {
                Ok(p) => p,
                Err(e) => {
                    self.errors.push((self.first + i, e.to_string()));
                    continue;
                }
            };
            hits.clear();
            atlas.locator().locate_into(lo, la, &mut hits);
            self.on_boundary[i] = hits.iter().any(|h| h.on_boundary);
            // The hits come in layer order (`locate_into`): one pass splits
            // them into each layer's run.
            let mut rest = hits.as_slice();
            for (li, kind) in LayerKind::ALL.into_iter().enumerate() {
                let n = rest.iter().take_while(|h| h.layer == kind).count();
                let (run, tail) = rest.split_at(n);
                rest = tail;
                self.codes[li][i] = match run {
                    [] => -1,
                    [h] => h.unit as i32,
                    [h, ..] if !is_multi_valued(kind) => h.unit as i32,
                    _ => {
                        units.clear();
                        units.extend(run.iter().map(|h| h.unit));
                        self.combo(li, &units, atlas.layer(kind).units.len())
                    }
                };
            }
            debug_assert!(rest.is_empty(), "hits out of layer order");
        }
    }

    fn combo(&mut self, li: usize, units: &[u32], n_units: usize) -> i32 {
        let list = &mut self.combos[li];
        let k = match list.iter().position(|c| c == units) {
            Some(k) => k,
            None => {
                list.push(units.to_vec());
                list.len() - 1
            }
        };
        (n_units + k) as i32
    }
}

/// Locates every `(lon[i], lat[i])` (coordinates in `crs`) on `threads`
/// threads (0 = all cores).
pub fn locate_columns(
    atlas: &Atlas,
    crs: &Crs,
    lon: &[f64],
    lat: &[f64],
    threads: usize,
) -> LocatedColumns {
    let n = lon.len().min(lat.len());
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |t| t.get()),
        t => t,
    };
    // Small inputs are not worth a thread.
    let size = n.div_ceil(threads).max(4096);
    let mut codes = vec![vec![-1i32; n]; LayerKind::ALL.len()];
    let mut on_boundary = vec![false; n];
    let mut parts: Vec<Part> = Vec::new();
    {
        let mut layer_chunks: Vec<_> = codes.iter_mut().map(|v| v.chunks_mut(size)).collect();
        for (t, ob) in on_boundary.chunks_mut(size).enumerate() {
            parts.push(Part {
                first: t * size,
                codes: layer_chunks.iter_mut().filter_map(Iterator::next).collect(),
                on_boundary: ob,
                combos: vec![Vec::new(); LayerKind::ALL.len()],
                errors: Vec::new(),
            });
        }
    }
    std::thread::scope(|s| {
        for p in &mut parts {
            s.spawn(move || p.run(atlas, crs, lon, lat));
        }
    });
    let mut dictionaries: Vec<Vec<String>> = atlas
        .layers()
        .iter()
        .map(|l| l.units.iter().map(|u| u.id.clone()).collect())
        .collect();
    let mut errors = Vec::new();
    for p in &mut parts {
        merge_combos(atlas, p, &mut dictionaries);
        errors.append(&mut p.errors);
    }
    drop(parts);
    LocatedColumns {
        codes,
        dictionaries,
        on_boundary,
        errors,
    }
}

/// Adds a part's combinations to the dictionaries and recodes its points.
fn merge_combos(atlas: &Atlas, p: &mut Part, dictionaries: &mut [Vec<String>]) {
    for (li, kind) in LayerKind::ALL.into_iter().enumerate() {
        if p.combos[li].is_empty() {
            continue;
        }
        let layer = atlas.layer(kind);
        let n_units = layer.units.len();
        let global: Vec<i32> = p.combos[li]
            .iter()
            .map(|units| {
                let text = units
                    .iter()
                    .map(|&u| layer.units[u as usize].id.as_str())
                    .collect::<Vec<_>>()
                    .join(";");
                let dict = &mut dictionaries[li];
                let at = dict[n_units..].iter().position(|d| *d == text);
                let k = at.unwrap_or_else(|| {
                    dict.push(text);
                    dict.len() - 1 - n_units
                });
                (n_units + k) as i32
            })
            .collect();
        for c in p.codes[li].iter_mut() {
            if *c >= n_units as i32 {
                *c = global[*c as usize - n_units];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Every point's codes name exactly the units `Atlas::locate` answers
    /// (first unit for single-valued layers, all of them for multi-valued
    /// ones), on random points and on points next to unit vertices, where
    /// several units and boundaries meet.
    #[test]
    fn codes_match_the_per_point_answer() {
        let atlas = Atlas::embedded().expect("atlas");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(23);
        let mut lon: Vec<f64> = (0..20_000).map(|_| rng.gen_range(108.3..116.2)).collect();
        let mut lat: Vec<f64> = (0..20_000).map(|_| rng.gen_range(29.0..33.3)).collect();
        for u in &atlas.layer(LayerKind::County).units {
            let v = u.geometry.0[0].exterior().0[0];
            lon.push(v.x + rng.gen_range(-1e-6..1e-6));
            lat.push(v.y + rng.gen_range(-1e-6..1e-6));
        }
        let crs = Crs::parse("CRS84").expect("crs");
        let cols = locate_columns(&atlas, &crs, &lon, &lat, 3);
        for i in 0..lon.len() {
            let hits = atlas.locator().locate(lon[i], lat[i]);
            assert_eq!(cols.on_boundary[i], hits.iter().any(|h| h.on_boundary));
            for (li, kind) in LayerKind::ALL.into_iter().enumerate() {
                let ids: Vec<&str> = hits
                    .iter()
                    .filter(|h| h.layer == kind)
                    .map(|h| atlas.layer(kind).units[h.unit as usize].id.as_str())
                    .collect();
                let want = match ids.len() {
                    0 => None,
                    _ if is_multi_valued(kind) => Some(ids.join(";")),
                    _ => Some(ids[0].to_string()),
                };
                let code = cols.codes[li][i];
                let got = (code >= 0).then(|| cols.dictionaries[li][code as usize].clone());
                assert_eq!(got, want, "point {i} layer {kind:?}");
            }
        }
    }
}
