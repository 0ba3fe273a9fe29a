//! The added columns of one row, built from the lookup's hits without
//! allocating (归属字段): unit ids are looked up by index, multi-valued layers
//! are joined with `;` into a reused buffer, and CSV fields are escaped exactly
//! as the `csv` crate's writer does (quoted only when they hold `,`, `"`, `\r`
//! or `\n`, quotes doubled).

use crate::index::Hit;
use crate::{Atlas, LayerKind};

/// The seven id columns, in output order, and whether each is multi-valued.
pub(crate) const ID_LAYERS: [(LayerKind, bool); 7] = [
    (LayerKind::County, false),
    (LayerKind::Prefecture, false),
    (LayerKind::Zone, false),
    (LayerKind::Basin, false),
    (LayerKind::MetroArea, true),
    (LayerKind::CityCluster, true),
    (LayerKind::Corridor, true),
];

/// Unit ids by layer and unit index, copied from the Atlas once per worker,
/// with each id already escaped as a CSV field.
pub(crate) struct Ids {
    ids: Vec<Vec<Box<str>>>,
    csv: Vec<Vec<Box<[u8]>>>,
}

impl Ids {
    /// The ids of every unit of every layer.
    pub(crate) fn new(atlas: &Atlas) -> Self {
        let ids: Vec<Vec<Box<str>>> = atlas
            .layers()
            .iter()
            .map(|l| l.units.iter().map(|u| u.id.as_str().into()).collect())
            .collect();
        let csv = ids
            .iter()
            .map(|l| {
                l.iter()
                    .map(|id| {
                        let mut v = Vec::new();
                        push_field(&mut v, id.as_bytes());
                        v.into_boxed_slice()
                    })
                    .collect()
            })
            .collect();
        Ids { ids, csv }
    }

    /// The id of a hit's unit.
    #[inline]
    pub(crate) fn of(&self, h: &Hit) -> &str {
        &self.ids[h.layer.index()][h.unit as usize]
    }

    /// Writes the value of one id column into `buf` (cleared first): the first
    /// unit of `layer` among `hits`, or all of them joined with `;`.
    #[inline]
    pub(crate) fn column(&self, hits: &[Hit], layer: LayerKind, multi: bool, buf: &mut Vec<u8>) {
        buf.clear();
        for h in hits.iter().filter(|h| h.layer == layer) {
            if !buf.is_empty() {
                buf.push(b';');
            }
            buf.extend_from_slice(self.of(h).as_bytes());
            if !multi {
                break;
            }
        }
    }

    /// Appends `,` and one CSV id column for the hits of one layer.
    #[inline]
    fn push_csv_column(
        &self,
        out: &mut Vec<u8>,
        layer_hits: &[Hit],
        multi: bool,
        buf: &mut Vec<u8>,
    ) {
        out.push(b',');
        match layer_hits {
            [] => {}
            [h, ..] if !multi || layer_hits.len() == 1 => {
                out.extend_from_slice(&self.csv[h.layer.index()][h.unit as usize]);
            }
            _ => {
                buf.clear();
                for (k, h) in layer_hits.iter().enumerate() {
                    if k > 0 {
                        buf.push(b';');
                    }
                    buf.extend_from_slice(self.of(h).as_bytes());
                }
                push_field(out, buf);
            }
        }
    }
}

/// Whether the `csv` writer would quote this field.
#[inline]
pub(crate) fn needs_quotes(field: &[u8]) -> bool {
    field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Appends one CSV field, quoted and escaped as the `csv` writer does.
#[inline]
pub(crate) fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends `,` and the nine added columns of a located row to a CSV line.
/// `hits` are in layer order, then unit order (as the locator returns them).
pub(crate) fn push_csv(out: &mut Vec<u8>, ids: &Ids, hits: &[Hit], buf: &mut Vec<u8>) {
    // Each layer's run of hits, in one pass.
    let mut runs = [(0usize, 0usize); 8];
    let mut on_boundary = false;
    let mut i = 0;
    while i < hits.len() {
        let l = hits[i].layer.index();
        let start = i;
        while i < hits.len() && hits[i].layer.index() == l {
            on_boundary |= hits[i].on_boundary;
            i += 1;
        }
        runs[l] = (start, i);
    }
    for (layer, multi) in ID_LAYERS {
        let (a, b) = runs[layer.index()];
        ids.push_csv_column(out, &hits[a..b], multi, buf);
    }
    out.extend_from_slice(if on_boundary { b",true," } else { b",false," });
}

/// Appends `,` and the nine added columns of a row that could not be placed.
pub(crate) fn push_csv_error(out: &mut Vec<u8>, error: &str) {
    out.extend_from_slice(b",,,,,,,,false,");
    push_field(out, error.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_writer_field(f: &str) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([f, "x"]).unwrap();
        let mut v = w.into_inner().unwrap();
        v.truncate(v.len() - 3);
        v
    }

    #[test]
    fn fields_are_escaped_like_the_csv_writer() {
        for f in [
            "",
            "abc",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            " padded ",
            "湖北",
            "#x",
            "'q'",
        ] {
            let mut out = Vec::new();
            push_field(&mut out, f.as_bytes());
            assert_eq!(out, csv_writer_field(f), "{f:?}");
        }
    }
}
