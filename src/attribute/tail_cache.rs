//! The added CSV columns of recently seen hit sets (归属字段缓存).
//!
//! A province has a few hundred distinct answers (county, prefecture, zone,
//! basin, metro areas, clusters, corridors, on-boundary), and most rows of a
//! point file repeat one of them. Formatting the nine columns takes seven
//! look-ups and nine small copies a row; this direct-mapped cache keyed by the
//! hits themselves turns a repeated answer into one compare and one copy.
//! A slot is filled by [`push_csv`] itself, so a cached tail is byte for byte
//! what formatting would write (unit test against it on seeded hit sets,
//! collisions included).

use super::answer::{push_csv, Ids};
use crate::index::Hit;

/// Hits per key at most (a point in more units is formatted directly).
const KEY: usize = 12;
/// Bytes per cached tail at most (a longer tail is formatted directly).
const TAIL: usize = 112;
/// log2 of the number of slots.
const BITS: u32 = 9;

/// One slot: the packed hits and the bytes they format to.
#[derive(Clone)]
struct Slot {
    /// Hits in the key, or `u8::MAX` for an empty slot.
    n: u8,
    key: [u32; KEY],
    len: u8,
    tail: [u8; TAIL],
}

/// The cache; one per worker thread.
pub(crate) struct TailCache {
    slots: Vec<Slot>,
    scratch: Vec<u8>,
}

impl TailCache {
    /// An empty cache (about 80 KB).
    pub(crate) fn new() -> Self {
        let empty = Slot {
            n: u8::MAX,
            key: [0; KEY],
            len: 0,
            tail: [0; TAIL],
        };
        TailCache {
            slots: vec![empty; 1 << BITS],
            scratch: Vec::with_capacity(TAIL),
        }
    }

    /// Appends what [`push_csv`] would append for `hits`.
    #[inline]
    pub(crate) fn push(&mut self, out: &mut Vec<u8>, ids: &Ids, hits: &[Hit], buf: &mut Vec<u8>) {
        let Some((key, at)) = key_of(hits) else {
            return push_csv(out, ids, hits, buf);
        };
        let n = hits.len();
        let slot = &mut self.slots[at];
        // Keys are zero past their length: whole arrays compare without a call.
        if usize::from(slot.n) == n && slot.key == key {
            out.extend_from_slice(&slot.tail[..usize::from(slot.len)]);
            return;
        }
        self.scratch.clear();
        push_csv(&mut self.scratch, ids, hits, buf);
        out.extend_from_slice(&self.scratch);
        if self.scratch.len() <= TAIL {
            slot.n = n as u8;
            slot.key = key;
            slot.len = self.scratch.len() as u8;
            slot.tail[..self.scratch.len()].copy_from_slice(&self.scratch);
        }
    }
}

/// The packed hits (layer, unit, on-boundary in one `u32` each) and their
/// slot; `None` when they do not fit a key.
#[inline]
fn key_of(hits: &[Hit]) -> Option<([u32; KEY], usize)> {
    if hits.len() > KEY {
        return None;
    }
    let mut key = [0u32; KEY];
    let mut h: u64 = hits.len() as u64;
    for (k, hit) in key.iter_mut().zip(hits) {
        if hit.unit >= 1 << 27 {
            return None;
        }
        *k = (hit.layer.index() as u32) << 28 | hit.unit << 1 | u32::from(hit.on_boundary);
        // FxHash's step.
        h = (h.rotate_left(5) ^ u64::from(*k)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    Some((key, (h >> (64 - BITS)) as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LayerKind;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn cached_tails_are_what_formatting_writes() {
        let atlas = crate::Atlas::embedded().expect("embedded atlas");
        let ids = Ids::new(&atlas);
        let mut cache = TailCache::new();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        // A few hundred distinct hit sets in a cache of 512 slots: repeats,
        // replacements and collisions all happen.
        let mut sets: Vec<Vec<Hit>> = Vec::new();
        for _ in 0..700 {
            let mut hits = Vec::new();
            for layer in LayerKind::ALL {
                if !rng.gen_bool(0.8) {
                    continue;
                }
                let units = atlas.layer(layer).units.len() as u32;
                for _ in 0..if rng.gen_bool(0.2) { 2 } else { 1 } {
                    hits.push(Hit {
                        layer,
                        unit: rng.gen_range(0..units),
                        on_boundary: rng.gen_bool(0.1),
                    });
                }
            }
            sets.push(hits);
        }
        let (mut buf, mut buf2) = (Vec::new(), Vec::new());
        for _ in 0..20_000 {
            let hits = &sets[rng.gen_range(0..sets.len())];
            let (mut direct, mut cached) = (b"x".to_vec(), b"x".to_vec());
            push_csv(&mut direct, &ids, hits, &mut buf);
            cache.push(&mut cached, &ids, hits, &mut buf2);
            assert_eq!(direct, cached, "{hits:?}");
        }
        let filled = cache.slots.iter().filter(|s| s.n != u8::MAX).count();
        assert!(filled > 300, "the cache was used: {filled} slots");
    }
}
