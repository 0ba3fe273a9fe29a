//! 预序列化片段 (pre-serialised answer fragments): the JSON of every unit's
//! parts of a [`Location`](super::Location) answer, serialised once per
//! dataset, so that `/v1/locate` writes an answer by copying fragments into
//! the response buffer (issue 13 item 4) instead of building and serialising
//! a `Location` per request.
//!
//! The bytes written are exactly `serde_json::to_vec(&atlas.locate(lon, lat))`
//! (the test `fast_answers_are_the_serde_answers` compares both over seeded
//! random, border and outside points): the fragments are produced by the same
//! `admin`/`region` functions and serde, and the writer follows the field
//! order of `Location`.

use super::{admin, region, region_notes, Match, RegionRef};
use crate::atlas::{Atlas, LayerKind, Unit};
use crate::index::Hit;

/// One unit's fragments.
#[derive(Debug)]
struct UnitJson {
    /// `AdminRef` JSON (province, prefecture, county, neighbours).
    admin: Box<str>,
    /// `RegionRef` JSON (basin, zone and the group layers).
    region: Box<str>,
    /// The `Match` JSON, off and on the boundary.
    matched: [Box<str>; 2],
    /// The JSON string of this unit's caveat (a group unit that is not official).
    note: Option<Box<str>>,
}

/// Every unit's fragments, by layer, plus the dataset-wide ones.
#[derive(Debug)]
pub struct Fragments {
    layers: Vec<Vec<UnitJson>>,
    neighbours: Vec<UnitJson>,
    /// The neighbour caveat as a JSON string, per neighbour.
    neighbour_notes: Vec<Box<str>>,
    /// The caveat on reconstructed zone extents, as a JSON string.
    zone_note: Option<Box<str>>,
    /// `,"data_version":"…"}` — the end of every answer.
    tail: Box<str>,
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> Box<str> {
    serde_json::to_string(v)
        .expect("answer parts serialise")
        .into()
}

fn unit_json(atlas: &Atlas, kind: Option<LayerKind>, u: &Unit) -> UnitJson {
    let m = |on_boundary| Match {
        layer: kind.map_or("", LayerKind::id),
        id: u.id.clone(),
        name: u.name.clone(),
        on_boundary,
    };
    let region: Option<RegionRef> = kind.map(|k| region(atlas, k, u));
    let note = region.as_ref().and_then(|r| {
        region_notes(atlas, false, std::iter::once(r))
            .pop()
            .map(|n| json(&n))
    });
    UnitJson {
        admin: json(&admin(u)),
        region: region.as_ref().map_or_else(|| "null".into(), json),
        matched: [json(&m(false)), json(&m(true))],
        note,
    }
}

impl Fragments {
    /// Serialise every unit's fragments once (at load).
    pub fn new(atlas: &Atlas) -> Fragments {
        let layers = LayerKind::ALL
            .iter()
            .map(|&k| {
                let units = &atlas.layer(k).units;
                units.iter().map(|u| unit_json(atlas, Some(k), u)).collect()
            })
            .collect();
        let neighbours = atlas.neighbours();
        Fragments {
            layers,
            neighbours: neighbours
                .iter()
                .map(|u| unit_json(atlas, None, u))
                .collect(),
            neighbour_notes: neighbours
                .iter()
                .map(|u| json(&super::neighbour_note(&admin(u))))
                .collect(),
            zone_note: region_notes(atlas, true, std::iter::empty())
                .pop()
                .map(|n| json(&n)),
            tail: format!(",\"data_version\":{}}}", json(atlas.version())).into(),
        }
    }

    fn unit(&self, h: &Hit) -> &UnitJson {
        &self.layers[h.layer.index()][h.unit as usize]
    }

    /// Writes the answer for the point and the locator's hits to `out`,
    /// byte for byte `serde_json::to_vec(&Location::build(..))`.
    pub fn write(&self, atlas: &Atlas, lon: f64, lat: f64, hits: &[Hit], out: &mut Vec<u8>) {
        let first = |k: LayerKind| hits.iter().find(|h| h.layer == k);
        let inside = first(LayerKind::Province).is_some();
        let on_outline = hits
            .iter()
            .any(|h| h.layer == LayerKind::Province && h.on_boundary);
        let neighbour = (!inside || on_outline)
            .then(|| atlas.neighbour_at(lon, lat))
            .flatten()
            .and_then(|n| {
                let i = atlas.neighbours().iter().position(|u| std::ptr::eq(u, n));
                i.map(|i| (&self.neighbours[i], &self.neighbour_notes[i]))
            });
        out.extend_from_slice(b"{\"lon\":");
        number(out, lon);
        out.extend_from_slice(b",\"lat\":");
        number(out, lat);
        push(
            out,
            ",\"inside_hubei\":",
            if inside { "true" } else { "false" },
        );
        let on_boundary = hits.iter().any(|h| h.on_boundary);
        push(
            out,
            ",\"on_boundary\":",
            if on_boundary { "true" } else { "false" },
        );
        let admin = |k| first(k).map_or("null", |h| &*self.unit(h).admin);
        push(out, ",\"province\":", admin(LayerKind::Province));
        let n = neighbour.map_or("null", |(u, _)| &*u.admin);
        push(out, ",\"neighbouring_province\":", n);
        push(out, ",\"prefecture\":", admin(LayerKind::Prefecture));
        push(out, ",\"county\":", admin(LayerKind::County));
        let region = |k| first(k).map_or("null", |h| &*self.unit(h).region);
        push(out, ",\"basin\":", region(LayerKind::Basin));
        push(out, ",\"zone\":", region(LayerKind::Zone));
        self.groups(hits, out);
        self.matches(hits, out);
        let zone_note = first(LayerKind::Zone).and(self.zone_note.as_deref());
        let groups = GROUPS.iter().flat_map(|&(k, _)| {
            let of_layer = hits.iter().filter(move |h| h.layer == k);
            of_layer.filter_map(|h| self.unit(h).note.as_deref())
        });
        let outside = neighbour.filter(|_| !inside).map(|(_, note)| &**note);
        list(
            out,
            ",\"notes\":",
            zone_note.into_iter().chain(groups).chain(outside),
        );
        out.extend_from_slice(self.tail.as_bytes());
    }

    /// `metro_areas`, `city_clusters`, `corridors`.
    fn groups(&self, hits: &[Hit], out: &mut Vec<u8>) {
        for &(k, key) in GROUPS {
            let parts = hits.iter().filter(|h| h.layer == k);
            list(out, key, parts.map(|h| &*self.unit(h).region));
        }
    }

    fn matches(&self, hits: &[Hit], out: &mut Vec<u8>) {
        let parts = hits
            .iter()
            .map(|h| &*self.unit(h).matched[h.on_boundary as usize]);
        list(out, ",\"matches\":", parts);
    }
}

/// The group layers, in answer order, with their keys; their units that are
/// not official carry a caveat in `notes`.
const GROUPS: &[(LayerKind, &str)] = &[
    (LayerKind::MetroArea, ",\"metro_areas\":"),
    (LayerKind::CityCluster, ",\"city_clusters\":"),
    (LayerKind::Corridor, ",\"corridors\":"),
];

fn push(out: &mut Vec<u8>, key: &str, value: &str) {
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(value.as_bytes());
}

fn list<'a>(out: &mut Vec<u8>, key: &str, parts: impl Iterator<Item = &'a str>) {
    out.extend_from_slice(key.as_bytes());
    out.push(b'[');
    for (i, p) in parts.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(p.as_bytes());
    }
    out.push(b']');
}

/// A finite f64 as serde_json writes it.
fn number(out: &mut Vec<u8>, v: f64) {
    serde_json::to_writer(out, &v).expect("writing to a Vec cannot fail");
}
